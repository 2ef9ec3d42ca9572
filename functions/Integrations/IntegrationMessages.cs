using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReviewHub.AppStoreConnect;
using ReviewHub.Http;

namespace ReviewHub.Integrations;

/// <summary>Body of "I've invited": the kind of integration the customer set the roles for.</summary>
public sealed record ConfirmIntegrationRequest(string? Kind) : IValidatable
{
    [JsonIgnore]
    public IntegrationKind KindValue => Enum.Parse<IntegrationKind>(Kind!, ignoreCase: true);

    public void Validate(ValidationErrors errors)
    {
        // Letters only: Enum.TryParse would also accept "2" or "1,3".
        if (Kind is null || !Kind.All(char.IsAsciiLetter) || !Enum.TryParse<IntegrationKind>(Kind, ignoreCase: true,
            out _))
        {
            errors.Add("kind", $"must be one of " +
                $"{string.Join(", ", Enum.GetValues<IntegrationKind>().Select(IntegrationResponses.Name))}.");
        }
    }
}

/// <summary>An operator registering the integration user's App Store Connect API key. Never echoed, never
/// logged.</summary>
public sealed record RegisterCredentialRequest(string? IssuerId, string? KeyId, string? PrivateKey) : IValidatable
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

public sealed record RoleView(string Role, string Name)
{
    public static IReadOnlyList<RoleView> From(IEnumerable<string> roles) => roles.Select(r => new RoleView(r,
        AscRoles.DisplayName(r))).ToList();

    public static IReadOnlyList<RoleView> From(string? roles) => From((roles ?? string.Empty).Split(',',
        StringSplitOptions.RemoveEmptyEntries));
}

public sealed record KindView(string Kind, string Title, string Purpose, string Requirement,
    IReadOnlyList<IReadOnlyList<RoleView>> Alternatives);

/// <summary>What the customer needs to invite the integration user: the email, the name, and the role table.</summary>
public sealed record IntegrationCardResponse(string IntegrationEmail, string FirstName, string LastName,
    IReadOnlyList<KindView> Kinds, IReadOnlyList<string> Notes);

public sealed record IntegrationStatusResponse(
    string Status, string? Kind, string? ActiveKind, string IntegrationEmail, DateTimeOffset? ConfirmedAt,
        DateTimeOffset? Deadline,
    IReadOnlyList<RoleView> MissingRoles, IReadOnlyList<RoleView> GrantedRoles, DateTimeOffset? LastCheckedAt,
        DateTimeOffset? VerifiedAt,
    bool CredentialRegistered, string? FailureReason, string? LastError, DateTimeOffset? KeyRefusedAt,
    string? KeyRefusal, string NextStep, string? DegradedCause = null, DateTimeOffset? DegradedAt = null,
    string? DegradedReason = null, DateTimeOffset? DisconnectedAt = null);

/// <summary>One event of the audit trail as the SPA reads it.</summary>
public sealed record IntegrationEventView(string Event, DateTimeOffset At, string? By, string? Detail)
{
    public static IntegrationEventView From(IntegrationEventEntity row) =>
        new(JsonNamingPolicy.CamelCase.ConvertName(row.Event), row.At, row.By, row.Detail);
}

public sealed record IntegrationEventsResponse(IReadOnlyList<IntegrationEventView> Items);

public static class IntegrationResponses
{
    public const string NotStarted = "notStarted";

    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(
        value.ToString());

    public static IntegrationCardResponse Card(IntegrationOptions options, string accountId) => new(
        options.IntegrationEmailFor(accountId),
        options.InviteeFirstName,
        options.InviteeLastName,
        IntegrationRoles.Table.Select(r => new KindView(Name(r.Kind), r.Title, r.Purpose, IntegrationRoles.Describe(r),
            [RoleView.From([AscRoles.Admin]), RoleView.From(r.Roles)])).ToList(),
        [
            "Account Holder counts as Admin.",
            "Finance brings Sales and Access to Reports with it.",
            "Extra roles are fine; a role that is missing stops the integration.",
            $"The setup finishes within {options.WorkingDays} working days of your confirmation.",
        ]);

    public static IntegrationStatusResponse Status(IntegrationEntity? row, IntegrationOptions options, string accountId)
    {
        if (row is null)
        {
            var email = options.IntegrationEmailFor(accountId);
            return new(NotStarted, null, null, email, null, null, [], [], null, null, false, null, null, null, null,
                $"Invite {email} in App Store Connect (Users and Access) with the roles of the integration you want, " +
                    $"then confirm.");
        }
        return new(
            Name(row.StatusValue), Name(row.KindValue), row.ActiveKindValue is { } active ? Name(active) : null,
                row.IntegrationEmail, row.ConfirmedAt, row.Deadline,
            RoleView.From(row.MissingRoles), RoleView.From(row.GrantedRoles), row.LastCheckedAt, row.VerifiedAt,
            row.CredentialReference is not null, row.FailureReason, row.LastError, row.KeyRefusedAt, row.KeyRefusal,
            NextStep(row), row.DegradedCauseValue is { } cause ? Name(cause) : null, row.DegradedAt,
            row.DegradedReason, row.DisconnectedAt);
    }

    private static string NextStep(IntegrationEntity row) => row.StatusValue switch
    {
        _ when row.IsDegraded =>
            $"{row.DegradedReason} Until then reviews do not sync and replies cannot be sent; once fixed, ReviewHub " +
            "fetches what it missed.",
        IntegrationStatus.AwaitingOperator or IntegrationStatus.Verifying when row.LastError is not null =>
            $"ReviewHub is on it: {row.LastError}",
        IntegrationStatus.AwaitingOperator => "Nothing to do: ReviewHub is accepting your invitation.",
        IntegrationStatus.Verifying => "Nothing to do: ReviewHub is checking the roles.",
        IntegrationStatus.InvitationPending when row.LastError is not null => row.LastError,
        IntegrationStatus.InvitationPending => "Nothing to do: your invitation is waiting for ReviewHub to accept it.",
        IntegrationStatus.RolesMissing =>
            $"Add these roles to {row.IntegrationEmail} in App Store Connect: " +
                $"{IntegrationEmails.RoleNames(row.MissingRoles)}; then tell us you updated them.",
        IntegrationStatus.Activating when row.LastError is not null =>
            $"Connected; finishing the setup is being retried: {row.LastError} If this stays, confirm again.",
        IntegrationStatus.Activating => "Connected: ReviewHub is switching your reviews to hourly syncing.",
        IntegrationStatus.Active => "Connected: reviews now sync every hour.",
        IntegrationStatus.Failed => $"{row.FailureReason} Fix it in App Store Connect, then confirm again to retry.",
        IntegrationStatus.Disconnected =>
            "Disconnected: reviews come from the public App Store feed. Confirm again to reconnect.",
        _ => "Setup cancelled. Confirm again whenever you are ready.",
    };
}
