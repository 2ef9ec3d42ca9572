using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>A team member or a pending invitation as the fake's App Store Connect team holds it.</summary>
public sealed record FakeAscMember(string Id, string Email, IReadOnlyList<string> Roles,
    DateTimeOffset? ExpirationDate);

/// <summary>
/// Users and Access: <c>GET /v1/users?filter[username]=</c> and <c>GET /v1/userInvitations?filter[email]=</c> in
/// Apple's JSON:API shapes (UsersResponse, UserInvitationsResponse: data[], links.self, meta.paging; roles in
/// attributes). Accepting an invitation turns it into a user, as in App Store Connect. Each team has its own users and
/// invitations (the <c>team</c> arguments; a key belongs to the team it was created for, see <see cref="CreateKey"/>).
/// </summary>
public sealed partial class FakeAppStoreConnect
{
    /// <summary>The team of every call that names none (the fake's single team of most tests).</summary>
    private const string DefaultTeam = "";

    private readonly ConcurrentDictionary<string, string> keyTeams = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeAscMember> users = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, FakeAscMember> invitations = new(StringComparer.OrdinalIgnoreCase);

    private static string Member(string? team, string email) => $"{team ?? DefaultTeam}|{email}";

    /// <summary>Invites an email with roles into <paramref name="team"/>; the invitation expires in 3 days unless
    /// <paramref name="expiresAt"/> says otherwise.</summary>
    public void Invite(string email, IReadOnlyList<string> roles, DateTimeOffset? expiresAt = null,
        string? team = null) =>
        invitations[Member(team, email)] =
            new FakeAscMember(Guid.NewGuid().ToString(), email, roles, expiresAt ?? Clock.GetUtcNow().AddDays(3));

    /// <summary>The invited person accepts: the invitation is deleted and a user with its roles appears.</summary>
    public void AcceptInvitation(string email, string? team = null)
    {
        if (!invitations.TryRemove(Member(team, email), out var invitation))
        {
            throw new InvalidOperationException($"{email} has no pending invitation.");
        }
        users[Member(team, email)] = invitation with { Id = Guid.NewGuid().ToString(), ExpirationDate = null };
    }

    private readonly ConcurrentDictionary<string, bool> appsWithoutAccess = new(StringComparer.Ordinal);

    /// <summary>An admin removes the user from the team in Users and Access (a team key keeps working).</summary>
    public void RemoveUser(string email, string? team = null) => users.TryRemove(Member(team, email), out _);

    /// <summary>
    /// An admin takes the app away from the integration user's visible apps: the app is 404 for its key
    /// (<c>GET /v1/apps/{id}</c>) and its reviews answer 403 FORBIDDEN_ERROR.
    /// </summary>
    public void RemoveAppAccess(string storeAppId) => appsWithoutAccess[storeAppId] = true;

    public void RestoreAppAccess(string storeAppId) => appsWithoutAccess.TryRemove(storeAppId, out _);

    public bool HasAppAccess(string storeAppId) => !appsWithoutAccess.ContainsKey(storeAppId);

    /// <summary>An admin edits the user's roles in Users and Access.</summary>
    public void SetUserRoles(string email, IReadOnlyList<string> roles, string? team = null) =>
        users.AddOrUpdate(Member(team, email), _ => new FakeAscMember(Guid.NewGuid().ToString(), email, roles, null),
            (_, user) => user with { Roles = roles });

    partial void MapUsers(WebApplication app)
    {
        app.MapGet("/v1/users", context =>
        {
            var matches = Filter(context, "filter[username]", users);
            return WriteAsync(context, 200, Page(context.Request, matches.Select(u => new
            {
                type = "users",
                id = u.Id,
                attributes = new { username = u.Email, firstName = "ReviewHub", lastName = "Connect", roles = u.Roles,
                    allAppsVisible = true, provisioningAllowed = false },
                links = new { self = $"{Self(context.Request)}/v1/users/{u.Id}" },
            })));
        });

        // The fake keeps no app catalogue beyond the apps it has reviews for; any other id is an app of the team.
        app.MapGet("/v1/apps/{id}", (HttpContext context, string id) => HasAppAccess(id)
            ? WriteAsync(context, 200, JsonSerializer.Serialize(new
            {
                data = new { type = "apps", id, attributes = new { bundleId = $"com.example.{id}" } },
                links = new { self = $"{Self(context.Request)}/v1/apps/{id}" },
            }))
            : WriteAsync(context, 404, ErrorBody(404, "NOT_FOUND", "The specified resource does not exist.",
                $"There is no resource of type 'apps' with id '{id}'")));

        app.MapGet("/v1/userInvitations", context =>
        {
            var matches = Filter(context, "filter[email]", invitations);
            return WriteAsync(context, 200, Page(context.Request, matches.Select(i => new
            {
                type = "userInvitations",
                id = i.Id,
                attributes = new
                {
                    email = i.Email, firstName = "ReviewHub", lastName = "Connect", expirationDate = i.ExpirationDate,
                        roles = i.Roles,
                    allAppsVisible = true, provisioningAllowed = false,
                },
                links = new { self = $"{Self(context.Request)}/v1/userInvitations/{i.Id}" },
            })));
        });
    }

    /// <summary>The members of the calling key's team that the filter names (all of the team without one).</summary>
    private List<FakeAscMember> Filter(HttpContext context, string parameter, ConcurrentDictionary<string,
        FakeAscMember> members)
    {
        var wanted = context.Request.Query[parameter].ToString().Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var team = context.Items[KeyIdItem] is string keyId
            ? keyTeams.GetValueOrDefault(keyId, DefaultTeam)
            : DefaultTeam;
        return members.Where(m => m.Key.StartsWith(Member(team, string.Empty), StringComparison.OrdinalIgnoreCase))
            .Select(m => m.Value)
            .Where(m => wanted.Length == 0 || wanted.Contains(m.Email, StringComparer.OrdinalIgnoreCase)).ToList();
    }

    private static string Page<T>(HttpRequest request, IEnumerable<T> data)
    {
        var items = data.ToList();
        return JsonSerializer.Serialize(new
        {
            data = items,
            links = new { self = $"{Self(request)}{request.Path}{request.QueryString}" },
            meta = new { paging = new { total = items.Count, limit = 200 } },
        });
    }

    private static string Self(HttpRequest request) => $"{request.Scheme}://{request.Host}";
}
