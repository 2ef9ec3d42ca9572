using Microsoft.Azure.Functions.Worker;

namespace ReviewHub.ReplyAutomation;

/// <summary>
/// Runs the reply rules on new reviews or on a requested recent window: a thin shell over the runner.
/// </summary>
internal sealed class ReplyAutomationQueueFunctions(ReplyAutomationRunner runner)
{
    [Function(nameof(RunReplyRules))]
    public Task RunReplyRules(
        [QueueTrigger(ReplyAutomationQueues.ReplyAutomation)] ReplyAutomationWork work,
        CancellationToken cancellationToken) =>
        runner.RunAsync(work, cancellationToken);
}
