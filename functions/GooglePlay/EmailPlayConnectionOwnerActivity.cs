using Microsoft.DurableTask;

namespace ReviewHub.GooglePlay;

/// <summary>The owner's "connected" or "setup stopped" email, at most once per attempt
/// (<see cref="PlayConnectionEmails"/>).</summary>
internal sealed class EmailPlayConnectionOwnerActivity(PlayConnectionEmails emails)
    : TaskActivity<PlayOwnerEmailRequest, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, PlayOwnerEmailRequest input) =>
        ExecuteAsync(input, CancellationToken.None);

    public Task<bool> ExecuteAsync(PlayOwnerEmailRequest input, CancellationToken cancellationToken) =>
        emails.SendOnceAsync(input.AccountId, input.Email, cancellationToken);
}
