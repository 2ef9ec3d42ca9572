namespace ReviewHub.Accounts;

/// <summary>The queues the Accounts feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class AccountQueues
{
    /// <summary>Carries <see cref="EmailConfirmationMessage"/>: send a confirmation link.</summary>
    public const string EmailConfirmations = "email-confirmations";

    public static readonly IReadOnlyList<string> All = [EmailConfirmations];
}
