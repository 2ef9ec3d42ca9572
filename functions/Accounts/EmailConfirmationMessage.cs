namespace ReviewHub.Accounts;

/// <summary>
/// Queue message (queue <c>email-confirmations</c>): send the confirmation link for this address of this account.
/// </summary>
internal sealed record EmailConfirmationMessage(string AccountId, string Address);
