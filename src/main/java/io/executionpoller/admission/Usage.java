package io.executionpoller.admission;

import java.time.Instant;

/**
 * What admission counted under the instance's and account's locks for one submission.
 *
 * @param instanceAtAmc executions of the instance PENDING or RUNNING at AMC (or whose create may be
 *     on the wire), the submitting one excluded
 * @param accountAtAmc the same over every instance of the account
 * @param adHocCreatesToday ad hoc creates recorded for the instance on the current UTC day
 * @param fairerWorkflowsWaiting other workflows of the instance that wait for a slot and have fewer
 *     executions at AMC than this one's: free slots go to them first
 * @param heldUntil the instance is held back until then after a quota refusal (null: not held)
 * @param heldReason why it is held
 */
public record Usage(
    int instanceAtAmc,
    int accountAtAmc,
    int adHocCreatesToday,
    int fairerWorkflowsWaiting,
    Instant heldUntil,
    QueuedReason heldReason) {}
