using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReviewHub.AppStoreConnect;
using ReviewHub.Http;

namespace ReviewHub.Integrations;

/// <summary>Body of "I've invited": the kind of integration the customer set the roles for.</summary>
/// <summary>"I've invited": the App Store Connect team (as named there) and the kind of integration.</summary>
internal sealed record ConfirmIntegrationRequest(string? Team, string? Kind) : IValidatable
{
    [JsonIgnore]
    public IntegrationKind KindValue => Enum.Parse<IntegrationKind>(Kind!, ignoreCase: true);

    public void Validate(ValidationErrors errors)
    {
        errors.SingleLine(Team, "team", 100);
        if (string.IsNullOrWhiteSpace(Team))
        {
            errors.Add("team", "is required: the App Store Connect team's name, as App Store Connect shows it.");
        }
        ValidateKind(Kind, errors);
    }

    public static void ValidateKind(string? kind, ValidationErrors errors)
    {
        // Letters only: Enum.TryParse would also accept "2" or "1,3".
        if (kind is null || !kind.All(char.IsAsciiLetter)
            || !Enum.TryParse<IntegrationKind>(kind, ignoreCase: true, out _))
        {
            errors.Add("kind", $"must be one of " +
                $"{string.Join(", ", Enum.GetValues<IntegrationKind>().Select(IntegrationResponses.Name))}.");
        }
    }
}

/// <summary>A team API key the customer created (Users and Access → Integrations → Team Keys), for one team.</summary>
internal sealed record TeamKeyRequest(string? Team, string? Kind, string? IssuerId, string? KeyId, string? PrivateKey)
    : IValidatable
{
    [JsonIgnore]
    public IntegrationKind KindValue => Enum.Parse<IntegrationKind>(Kind!, ignoreCase: true);

    public RegisterCredentialRequest Key => new(IssuerId, KeyId, PrivateKey);

    public void Validate(ValidationErrors errors)
    {
        new ConfirmIntegrationRequest(Team, Kind).Validate(errors);
        if (string.IsNullOrWhiteSpace(IssuerId))
        {
            errors.Add("issuerId", "is required for a team key: the issuer id shown above the team keys.");
        }
        Key.Validate(errors);
    }

    public override string ToString() => $"TeamKeyRequest {{ Team = {Team}, Kind = {Kind}, KeyId = {KeyId} }}";
}

/// <summary>Registers apps the connection found, in one call; <c>ascAppIds</c> absent means every unregistered
/// one.</summary>
internal sealed record RegisterConnectionAppsRequest(
    IReadOnlyList<string>? AscAppIds, IReadOnlyList<string>? Territories)
    : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (AscAppIds is { Count: 0 or > AppStoreConnectAppCatalog.PageSize })
        {
            errors.Add("ascAppIds",
                $"must list between 1 and {AppStoreConnectAppCatalog.PageSize} App Store app ids, or be absent.");
        }
        else if (AscAppIds?.Any(id => string.IsNullOrEmpty(id) || id.Length > 20 || !id.All(char.IsAsciiDigit)) == true)
        {
            errors.Add("ascAppIds", "must be numeric Apple IDs of apps the connection lists.");
        }
        Apps.AppRules.ValidateTerritories(Territories, errors, required: true);
    }
}

internal sealed record ConnectionAppView(
    string AscAppId, string Name, string BundleId, IReadOnlyList<string> Platforms, IReadOnlyList<string> AppIds,
    bool Registered)
{
    public static ConnectionAppView From(ConnectionAppEntity row) => new(row.AscAppId, row.Name, row.BundleId,
        row.PlatformList, row.LinkedAppIdList, row.LinkedAppIdList.Count > 0);
}

internal sealed record ConnectionAppsResponse(DateTimeOffset? ListedAt, IReadOnlyList<ConnectionAppView> Items);

internal sealed record ConnectionsResponse(IReadOnlyList<IntegrationStatusResponse> Items);

internal sealed record RegisterCredentialRequest(string? IssuerId, string? KeyId, string? PrivateKey) : IValidatable
{
    public AppStoreConnectCredential ToCredential() => new(string.IsNullOrWhiteSpace(IssuerId) ? null : IssuerId.Trim(),
        KeyId!.Trim(), PrivateKey!.Trim());

    public void Validate(ValidationErrors errors)
    {
        if (!string.IsNullOrWhiteSpace(IssuerId) && !Guid.TryParse(IssuerId, out _))
        {
            errors.Add("issuerId",
                "must be the issuer id shown in App Store Connect (a UUID), or absent for an individual key.");
        }
        if (errors.Required(KeyId, "keyId", 20) && !KeyId.Trim().All(char.IsAsciiLetterOrDigit))
        {
            errors.Add("keyId", "must be the key id shown in App Store Connect (letters and digits).");
        }
        if (errors.Required(PrivateKey, "privateKey", 4000) && !IsP256PrivateKey(PrivateKey))
        {
            errors.Add("privateKey", "must be the .p8 private key (PEM) of an App Store Connect API key.");
        }
    }

    public override string ToString() => $"RegisterCredentialRequest {{ KeyId = {KeyId} }}";

    private static bool IsP256PrivateKey(string pem)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            return key.KeySize == 256;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return false;
        }
    }
}

internal sealed record RoleView(string Role, string Name)
{
    public static IReadOnlyList<RoleView> From(IEnumerable<string> roles) => roles.Select(r => new RoleView(r,
        AppStoreConnectRoles.DisplayName(r))).ToList();

    public static IReadOnlyList<RoleView> From(string? roles) => From((roles ?? string.Empty).Split(',',
        StringSplitOptions.RemoveEmptyEntries));
}

internal sealed record KindView(string Kind, string Title, string Purpose, string Requirement,
    IReadOnlyList<IReadOnlyList<RoleView>> Alternatives);

/// <summary>What the customer needs to invite the integration user: the email, the name, and the role table.</summary>
internal sealed record IntegrationCardResponse(string IntegrationEmail, string FirstName, string LastName,
    IReadOnlyList<KindView> Kinds, IReadOnlyList<string> Notes);

internal sealed record IntegrationStatusResponse(
    string Status, string? Kind, string? ActiveKind, string IntegrationEmail, DateTimeOffset? ConfirmedAt,
        DateTimeOffset? Deadline,
    IReadOnlyList<RoleView> MissingRoles, IReadOnlyList<RoleView> GrantedRoles, DateTimeOffset? LastCheckedAt,
        DateTimeOffset? VerifiedAt,
    bool CredentialRegistered, string? FailureReason, string? LastError, DateTimeOffset? KeyRefusedAt,
    string? KeyRefusal, string NextStep, string? DegradedCause = null, DateTimeOffset? DegradedAt = null,
    string? DegradedReason = null, DateTimeOffset? DisconnectedAt = null, string? ConnectionId = null,
    string? Team = null, string? Method = null, string? ReplyPermission = null, DateTimeOffset? AppsListedAt = null,
    int? AppsSeen = null, string Actor = "nobody", DateTimeOffset? OperatorsWaitingSince = null);

/// <summary>One event of the audit trail as the SPA reads it.</summary>
internal sealed record IntegrationEventView(string Event, DateTimeOffset At, string? By, string? Detail)
{
    public static IntegrationEventView From(IntegrationEventEntity row) =>
        new(JsonNamingPolicy.CamelCase.ConvertName(row.Event), row.At, row.By, row.Detail);
}

internal sealed record IntegrationEventsResponse(IReadOnlyList<IntegrationEventView> Items);

internal static class IntegrationResponses
{
    public const string NotStarted = "notStarted";

    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(
        value.ToString());

    public static IntegrationCardResponse Card(IntegrationOptions options, string accountId) => new(
        options.IntegrationEmailFor(accountId),
        options.InviteeFirstName,
        options.InviteeLastName,
        IntegrationRoles.Table.Select(r => new KindView(Name(r.Kind), r.Title, r.Purpose, IntegrationRoles.Describe(r),
            [RoleView.From([AppStoreConnectRoles.Admin]), RoleView.From(r.Roles)])).ToList(),
        [
            "Account Holder counts as Admin.",
            "Finance brings Sales and Access to Reports with it.",
            "Extra roles are fine; a role that is missing stops the integration.",
            $"You have {options.WorkingDays} working days after your confirmation for your part; the time " +
                "ReviewHub's operators take does not count.",
        ]);

    public static IntegrationStatusResponse Status(IntegrationEntity row, IntegrationOptions options, string accountId)
    {
        var next = ConnectionActors.For(row);
        return new(
            Name(row.StatusValue), Name(row.KindValue), row.ActiveKindValue is { } active ? Name(active) : null,
                row.IntegrationEmail, row.ConfirmedAt, row.Deadline,
            RoleView.From(row.MissingRoles), RoleView.From(row.GrantedRoles), row.LastCheckedAt, row.VerifiedAt,
            row.CredentialReference is not null, row.FailureReason, row.LastError, row.KeyRefusedAt, row.KeyRefusal,
            next.Step, row.DegradedCauseValue is { } cause ? Name(cause) : null, row.DegradedAt,
            row.DegradedReason, row.DisconnectedAt, row.ConnectionId, row.Team, Name(row.MethodValue),
            row.ReplyPermissionValue is { } permission ? Name(permission) : null, row.AppsListedAt, row.AppsSeen,
            Name(next.Actor), row.OperatorsWaitingSince);
    }
}
