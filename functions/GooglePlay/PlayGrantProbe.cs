using ReviewHub.Apps;

namespace ReviewHub.GooglePlay;

/// <summary>What reading the account's Android apps with its service account found.</summary>
internal enum PlayGrantState
{
    /// <summary>Every Android app of the account answers: the grant reached the API.</summary>
    Granted,
    /// <summary>The account has no Android app to read.</summary>
    NoApps,
    /// <summary>Play refuses some app (403/401 "insufficient permissions", or 404 for a package the service account
    /// cannot see): not invited, not propagated yet, or revoked. The customer's side.</summary>
    NotGranted,
    /// <summary>No key in the vault for the account. The operators' side.</summary>
    KeyMissing,
    /// <summary>Google refuses the key (deleted or rotated). The operators' side.</summary>
    KeyRefused,
    /// <summary>The Android Publisher API is off in ReviewHub's project. The operators' side.</summary>
    ApiNotEnabled,
}

/// <summary>What a probe found, with the sentence the status and the emails show.</summary>
internal sealed record PlayGrantFinding(PlayGrantState State, string Detail)
{
    public bool OnOperators => State is PlayGrantState.KeyMissing or PlayGrantState.KeyRefused
        or PlayGrantState.ApiNotEnabled;
}

/// <summary>
/// Verifies a Play grant the only way Play allows: reading each Android app's reviews (one page, one read of the
/// app's 200 per hour, counted in the app's read budget like the fetches' reads) with the account's own service
/// account. Used by the "I've invited" verification and by the health check after activation. Transient failures
/// (429, 5xx, no answer) are thrown as <see cref="GooglePlayException"/> for the caller to retry.
/// </summary>
internal sealed class PlayGrantProbe(
    AppStore apps, GooglePlayServiceAccounts serviceAccounts, GooglePlayClient play, IPlayReadBudget budget)
{
    /// <summary>Bounds one probe (the account's app limit is far below it).</summary>
    public const int MaxApps = 100;

    public async Task<PlayGrantFinding> ProbeAsync(string accountId, CancellationToken cancellationToken)
    {
        var key = await serviceAccounts.FindAsync(accountId, cancellationToken);
        if (key is null)
        {
            return new(PlayGrantState.KeyMissing,
                "The account's service-account key is missing from ReviewHub's vault: operators provision it again.");
        }
        var android = (await apps.ListAsync(accountId, cancellationToken))
            .Where(a => a.Store == Stores.GooglePlay).OrderBy(a => a.StoreAppId, StringComparer.Ordinal)
            .Take(MaxApps).ToList();
        if (android.Count == 0)
        {
            return new(PlayGrantState.NoApps, "The account has no Android app registered to verify the grant with.");
        }
        var denied = new List<string>();
        foreach (var app in android)
        {
            try
            {
                await ReadAsync(key, app, cancellationToken);
            }
            catch (GooglePlayException ex) when (ex.Failure is GooglePlayFailure.PermissionDenied
                or GooglePlayFailure.AppNotFound)
            {
                denied.Add(app.StoreAppId);
            }
            catch (GooglePlayException ex) when (ex.Failure == GooglePlayFailure.NotAuthorized)
            {
                return new(PlayGrantState.KeyRefused,
                    $"Google refused the key of {key.ClientEmail} ({ex.Status:D} {ex.Reason}): operators replace it.");
            }
            catch (GooglePlayException ex) when (ex.Failure == GooglePlayFailure.ApiNotEnabled)
            {
                return new(PlayGrantState.ApiNotEnabled, "The Google Play Developer API is not enabled in " +
                    $"ReviewHub's Google Cloud project ({ex.Status:D} {ex.Reason}): operators enable it.");
            }
        }
        return denied.Count == 0
            ? new(PlayGrantState.Granted, $"{key.ClientEmail} reads the reviews of {android.Count} Android app(s).")
            : new(PlayGrantState.NotGranted, $"Google Play does not let {key.ClientEmail} read the reviews of " +
                $"{string.Join(", ", denied)} (403 insufficient permissions or 404).");
    }

    /// <summary>One read of the app's first page; Play counts it against the app's hourly quota whatever it answers
    /// (a refusal too), so the budget does.</summary>
    private async Task ReadAsync(GooglePlayServiceAccountKey key, AppEntity app, CancellationToken cancellationToken)
    {
        try
        {
            await play.ListReviewsAsync(key, app.StoreAppId, null, null, cancellationToken);
        }
        finally
        {
            await budget.SpendAsync(app.AccountId, app.AppId, 1, CancellationToken.None);
        }
    }
}
