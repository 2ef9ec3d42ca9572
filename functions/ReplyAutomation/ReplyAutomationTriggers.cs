using Microsoft.Azure.Functions.Worker;
using ReviewHub.Apps;
using ReviewHub.Storage;

namespace ReviewHub.ReplyAutomation;

/// <summary>
/// Runs the reply rules on new reviews or on a requested recent window: a thin shell over the runner.
/// </summary>
public sealed class ReplyAutomationTriggers(ReplyAutomationRunner runner)
{
    [Function(nameof(RunReplyRules))]
    public Task RunReplyRules(
        [QueueTrigger(QueueNames.ReplyAutomation)] ReplyAutomationWork work, CancellationToken cancellationToken) =>
        runner.RunAsync(work, cancellationToken);
}

/// <summary>Removes an app's rules, drafts, settings, counters and rule audit when the app is removed.</summary>
internal sealed class ReplyAutomationPurger(ReplyAutomationStore store) : IAppDataPurger
{
    public Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        store.PurgeAppAsync(appId, cancellationToken);
}
