package io.executionpoller.crashpoint;

import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * Test only. When {@code poller.crash-point} names a point and the daemon reaches it, the thread
 * that reached it prints one marker line and then never returns, so that the test, which watches
 * the output for the marker, can SIGKILL the process exactly there: every later step of that thread
 * is lost, as in a real crash, instead of merely being delayed. Any further thread reaching the
 * point freezes as well. Unset (the default), a call is one comparison.
 */
// A singleton, not application scoped: no client proxy between the hot paths and the check.
@Singleton
public class CrashPoints {

  /** The line the process tests wait for; the point and the execution follow it. */
  public static final String MARKER = "CRASH_POINT_REACHED";

  private static final Logger LOG = Logger.getLogger(CrashPoints.class);

  private final CrashPoint armed;
  private final AtomicBoolean announced = new AtomicBoolean();

  CrashPoints(CrashPointConfig config) {
    this.armed = config.point().orElse(null);
    if (armed != null) {
      LOG.warnf(
          "poller.crash-point=%s: this process freezes when it gets there (test only)", armed);
    }
  }

  /** Freezes the calling thread for good when {@code point} is the armed one. */
  public void reached(CrashPoint point, Object execution) {
    if (point != armed) {
      return;
    }
    if (announced.compareAndSet(false, true)) {
      // Plain stdout, flushed, independent of the log format and level: the test reads it.
      System.out.println(MARKER + " " + point + " execution=" + execution);
      System.out.flush();
    }
    while (true) {
      LockSupport.park(this);
    }
  }
}
