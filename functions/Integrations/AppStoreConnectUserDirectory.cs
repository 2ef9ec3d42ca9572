using ReviewHub.AppStoreConnect;

namespace ReviewHub.Integrations;

/// <summary>Where the integration user stands in the customer's App Store Connect team.</summary>
internal sealed record AppStoreConnectMembership(bool IsUser, IReadOnlyList<string> Roles,
    DateTimeOffset? InvitationExpiresAt);

/// <summary>
/// Looks the integration user up in App Store Connect: <c>GET /v1/users?filter[username]=</c> (a member, with roles)
/// and, when absent, <c>GET /v1/userInvitations?filter[email]=</c> (invited, not yet accepted). Roles are read as
/// strings so role names newer than our table are tolerated.
/// </summary>
internal sealed class AppStoreConnectUserDirectory(AppStoreConnectClient client)
{
    /// <summary>The membership, or null when the email is neither a user nor invited. Throws <see
    /// cref="AppStoreConnectException"/>.</summary>
    public async Task<AppStoreConnectMembership?> FindAsync(AppStoreConnectCredential credential, string email,
        CancellationToken cancellationToken)
    {
        var filter = Uri.EscapeDataString(email);
        var users = await client.GetAsync<Document<UserAttributes>>(
            credential, $"/v1/users?filter[username]={filter}&fields[users]=username,roles&limit=200",
                cancellationToken);
        // Apple Accounts are case-insensitive emails; the filter is exact on Apple's side, so compare the same way
        // here.
        var user = (users.Document.Data ?? []).FirstOrDefault(u => string.Equals(u.Attributes?.Username, email,
            StringComparison.OrdinalIgnoreCase));
        if (user is not null)
        {
            return new AppStoreConnectMembership(true, user.Attributes?.Roles ?? [], null);
        }

        var invitations = await client.GetAsync<Document<InvitationAttributes>>(
            credential,
            $"/v1/userInvitations?filter[email]={filter}&fields[userInvitations]=email,roles,expirationDate&limit=200",
            cancellationToken);
        var invitation = (invitations.Document.Data ?? []).FirstOrDefault(i => string.Equals(i.Attributes?.Email, email,
            StringComparison.OrdinalIgnoreCase));
        return invitation is null ? null : new AppStoreConnectMembership(false, invitation.Attributes?.Roles ?? [],
            invitation.Attributes?.ExpirationDate);
    }

    /// <summary>
    /// Whether the key still sees the app (<c>GET /v1/apps/{id}</c>): false when App Store Connect answers 404 or 403
    /// for it (the user's access to the app was removed). Other failures throw.
    /// </summary>
    public async Task<bool> SeesAppAsync(
        AppStoreConnectCredential credential, string storeAppId, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetAsync<SingleDocument<AppAttributes>>(
                credential, $"/v1/apps/{Uri.EscapeDataString(storeAppId)}?fields[apps]=bundleId", cancellationToken);
            return true;
        }
        catch (AppStoreConnectException ex) when (ex.Failure is AppStoreConnectFailure.NotFound
            or AppStoreConnectFailure.Forbidden)
        {
            return false;
        }
    }

    private sealed record Document<T>(IReadOnlyList<Resource<T>>? Data);

    private sealed record SingleDocument<T>(Resource<T>? Data);

    private sealed record AppAttributes(string? BundleId);

    private sealed record Resource<T>(string Type, string Id, T? Attributes);

    private sealed record UserAttributes(string? Username, IReadOnlyList<string>? Roles);

    private sealed record InvitationAttributes(string? Email, IReadOnlyList<string>? Roles,
        DateTimeOffset? ExpirationDate);
}
