namespace ReviewHub.Integrations;

/// <summary>
/// An app's App Store Connect connection as the features that call App Store Connect for the app see it (the review
/// fetch, replies): whether it is in force, whether it works now, which key fetches and replies, and whether that key
/// may reply. Read through <see cref="AppConnections"/>; handed back to <see cref="IntegrationKeyRefusals"/> to report
/// what App Store Connect answered to the key, and to <see cref="AppConnections.LoadKeyAsync"/> for the key itself.
/// </summary>
internal sealed class AppConnection
{
    private AppConnection(IntegrationEntity row) => Row = row;

    /// <summary>The connection's row as it was read, seen by the app. The integrations feature's own: it compares it
    /// with the row now (a key replaced since, a refusal cleared since) when the other features report back.</summary>
    internal IntegrationEntity Row { get; }

    public string AccountId => Row.AccountId;

    public string AppId => Row.AppId;

    /// <summary>A connection is in force (possibly degraded, possibly while an upgrade attempt runs).</summary>
    public bool IsActive => Row.IsActive;

    /// <summary>In force but not working: fetches and replies pause with <see cref="DegradedReason"/>.</summary>
    public bool IsDegraded => Row.IsDegraded;

    /// <summary>Why, in words the customer is shown (with what they or operators must do).</summary>
    public string? DegradedReason => Row.IsDegraded ? Row.DegradedReason : null;

    /// <summary>The Key Vault secret name of the key that fetches and replies for the app; null when no connection is
    /// in force or its key is not registered.</summary>
    public string? KeyReference => Row is { IsActive: true, CredentialReference: { Length: > 0 } reference }
        ? reference
        : null;

    /// <summary>The connection's kind and the key's role let it reply (a team key whose first reply was refused does
    /// not).</summary>
    public bool AllowsReplies => Row.AllowsReplies;

    /// <summary>The latest setup attempt's <see cref="IntegrationStatus"/>, for messages.</summary>
    public IntegrationStatus Status => Row.StatusValue;

    /// <summary>The <see cref="IntegrationKind"/> in force, for messages; null when none is.</summary>
    public IntegrationKind? ActiveKind => Row.ActiveKindValue;

    /// <summary>The connection <paramref name="row"/> as its app <paramref name="appId"/> sees it.</summary>
    public static AppConnection Of(IntegrationEntity row, string appId) => new(row.ForApp(appId));
}
