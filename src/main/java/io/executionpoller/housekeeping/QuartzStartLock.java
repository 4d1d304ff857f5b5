package io.executionpoller.housekeeping;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.jboss.logging.Logger;

/**
 * Lets one replica at a time create its Quartz scheduler. Quarkus registers each clustered
 * {@code @Scheduled} job in one transaction per replica by reading its trigger and inserting the
 * job if there was none; two replicas starting together both read nothing, and the second one's
 * insert fails once the first commits (ObjectAlreadyExistsException, or qrtz_locks_pkey for a lock
 * row Quartz creates on first use), so that replica does not start. Holding a PostgreSQL advisory
 * lock from just before Quarkus creates the scheduler (its StartupEvent observer, priority 0) to
 * just after makes each replica start after the previous one committed: it finds the jobs and
 * reschedules them. The lock is transaction-scoped, so it cannot outlive its connection's
 * transaction, whatever happens to the connection afterwards.
 */
@Singleton
public class QuartzStartLock {

  private static final Logger LOG = Logger.getLogger(QuartzStartLock.class);

  /**
   * Quarkus's QuartzSchedulerImpl creates and starts the scheduler at this StartupEvent priority.
   */
  private static final int QUARTZ_START = 0;

  /** An arbitrary key of this daemon's own (ASCII "qrtzstar"); no other code takes it. */
  private static final long KEY = 0x7172747A73746172L;

  private final AgroalDataSource dataSource;
  private final HousekeepingConfig config;
  private Connection held;

  QuartzStartLock(AgroalDataSource dataSource, HousekeepingConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  void beforeQuartz(@Observes @Priority(QUARTZ_START - 1) StartupEvent event) {
    Connection connection = null;
    try {
      connection = dataSource.getConnection();
      connection.setAutoCommit(false);
      try (Statement lock = connection.createStatement()) {
        lock.setQueryTimeout(Math.max(1, (int) config.startLockWait().toSeconds()));
        lock.execute("SELECT pg_advisory_xact_lock(" + KEY + ")");
      }
      held = connection;
    } catch (SQLException e) {
      // Starting unserialized is what happened before this lock: usually fine, at worst the
      // replica fails on Quartz's rows and its restart succeeds.
      LOG.warnf("QUARTZ_START_LOCK_UNAVAILABLE starting the scheduler without it: %s", e);
      release(connection);
    }
  }

  void afterQuartz(@Observes @Priority(QUARTZ_START + 1) StartupEvent event) {
    release(held);
    held = null;
  }

  private static void release(Connection connection) {
    if (connection == null) {
      return;
    }
    try (connection) {
      connection.rollback();
    } catch (SQLException e) {
      // Closing the session ends the transaction and its lock all the same.
      LOG.debugf("releasing the Quartz start lock: %s", e);
    }
  }
}
