using ReviewHub.Http;
using ReviewHub.Integrations;

namespace ReviewHub.GooglePlay;

/// <summary>What to grant in Play Console at one level (one app's permissions, or the whole developer account's).
/// </summary>
internal sealed record PlayPermissionView(string Level, string Where, IReadOnlyList<string> Permissions,
    IReadOnlyList<string> ApiNames);

/// <summary>The account's Google Play connection: the card (service-account email, permissions to grant) and the
/// status, with who acts next.</summary>
internal sealed record PlayConnectionResponse(
    string Status, string Actor, string NextStep, string? ServiceAccountEmail,
    IReadOnlyList<PlayPermissionView> Permissions, DateTimeOffset? OperatorsWaitingSince, DateTimeOffset? InvitedAt,
    DateTimeOffset? Deadline, DateTimeOffset? LastCheckedAt, string? LastObservation, DateTimeOffset? VerifiedAt,
    string? FailureReason, string? DegradedCause, DateTimeOffset? DegradedAt, string? DegradedReason,
    DateTimeOffset? DisconnectedAt)
{
    /// <summary>Play Console's wording and the API's names (google-play-api.md §4): read and reply, per app or for
    /// the whole developer account.</summary>
    public static readonly IReadOnlyList<PlayPermissionView> ToGrant =
    [
        new("app", "Play Console → Users and permissions → invite → App permissions → Add app (each Android app)",
            ["View app information (read-only)", "Reply to reviews"],
            ["CAN_VIEW_NON_FINANCIAL_DATA", "CAN_REPLY_TO_REVIEWS"]),
        new("account", "Play Console → Users and permissions → invite → Account permissions (all apps, also later " +
            "ones)", ["View app information and download bulk reports (read-only)", "Reply to reviews"],
            ["CAN_VIEW_NON_FINANCIAL_DATA_GLOBAL", "CAN_REPLY_TO_REVIEWS_GLOBAL"]),
    ];

    public static PlayConnectionResponse From(PlayConnectionEntity row)
    {
        var next = PlayConnectionActors.For(row);
        return new(IntegrationResponses.Name(row.StatusValue), IntegrationResponses.Name(next.Actor), next.Step,
            row.ServiceAccountEmail, ToGrant, row.OperatorsWaitingSince, row.InvitedAt, row.Deadline,
            row.LastCheckedAt, row.LastObservation, row.VerifiedAt, row.FailureReason,
            row.DegradedCauseValue is { } cause ? IntegrationResponses.Name(cause) : null, row.DegradedAt,
            row.DegradedReason, row.DisconnectedAt);
    }
}

/// <summary>Operators: the JSON key file Google Cloud issued for the account's service account, as a string. Never
/// logged or returned.</summary>
internal sealed record ProvisionServiceAccountRequest(string? KeyFile) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required(KeyFile, "keyFile", 16_000)
            && GooglePlayServiceAccountKey.Parse(KeyFile, out var problem) is null)
        {
            errors.Add("keyFile", $"The service-account key {problem}");
        }
    }

    public override string ToString() => "ProvisionServiceAccountRequest { KeyFile = *** }";
}
