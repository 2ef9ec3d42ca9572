namespace ReviewHub.GooglePlay;

/// <summary>
/// Told when Google refuses a call made with an account's service account (401/403 permissions, 404 for the package,
/// the key refused, the API off): the Play connection degrades at once, whichever feature made the call (a fetch, a
/// reply, a read-back).
/// </summary>
internal interface IPlayRefusalObserver
{
    Task OnRefusedAsync(string accountId, string packageName, GooglePlayException refusal,
        CancellationToken cancellationToken);
}
