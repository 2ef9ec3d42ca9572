using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Observability;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// A team connection during the month: its key, its moments, the calls each side made, what was seen.
/// </summary>
internal sealed class ConnectionState(ConnectionPlan plan)
{
    public ConnectionPlan Plan { get; } = plan;
    public string ConnectionId { get; } = ConnectionIds.For(plan.Team);
    public FakeAppStoreConnectKey? Key { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public DateTimeOffset? DisconnectedAt { get; set; }

    /// <summary>The customer's and the operators' calls about this connection, by call (the issue's action
    /// counts).</summary>
    public Dictionary<string, int> CustomerCalls { get; } = [];
    public Dictionary<string, int> OperatorCalls { get; } = [];

    /// <summary>Answers the scenario kept at a moment of the story (status, app list, work list), for the
    /// books.</summary>
    public Dictionary<string, JsonElement> Seen { get; } = [];

    /// <summary>Statuses every look at the connection showed, in order (never <c>failed</c> for operators' lateness).
    /// </summary>
    public List<string> Statuses { get; } = [];

    /// <summary>What went wrong while acting (a call refused, a status never reached).</summary>
    public List<string> Problems { get; } = [];
}

/// <summary>
/// The team connections of the month (issue 13; plan in <c>MonthPlan.Connections.cs</c>): each team is connected once
/// for all its apps through the HTTP functions the SPA and the operators call, and its story plays against the fake
/// App Store Connect, whose Users and Access are per team. Durable timers run on real time, so where a setup would wake
/// at its deadline the harness raises the event its timer stands for (a re-check, as "roles updated" causes).
/// </summary>
internal sealed partial class MonthScenario
{
    private const string MemberUserId = "member-sim";

    private readonly ConcurrentQueue<(DateTimeOffset At, long Value)> overdueGauge = new();
    private MeterListener? gaugeListener;

    public Dictionary<string, ConnectionState> Connections { get; } =
        plan.Connections.ToDictionary(c => c.Team, c => new ConnectionState(c));

    /// <summary>The operators-overdue gauge as the host's meter recorded it, with the simulated time.</summary>
    public IReadOnlyList<(DateTimeOffset At, long Value)> OverdueGauge => [.. overdueGauge];

    /// <summary>The account owner's user id (the audit trail names who disconnected).</summary>
    public string OwnerUserId => userId;

    private static string MemberToken => TestTokens.For(MemberUserId, "member@acme-sim.test");

    private string ConnectionPath(ConnectionState connection) =>
        $"/api/accounts/{AccountId}/connections/{connection.ConnectionId}";

    private IEnumerable<AppState> AppsOf(ConnectionState connection) =>
        Apps.Values.Where(a => a.Plan.Connection == connection.Plan);

    private void ScheduleConnections()
    {
        if (Connections.Count == 0)
        {
            return;
        }
        ListenToOverdueGauge();
        At(plan.Start.AddMinutes(30), AddMemberAsync);
        foreach (var connection in Connections.Values)
        {
            var day = plan.Start.AddDays(connection.Plan.Day);
            switch (connection.Plan.Story)
            {
                case ConnectionStory.MultiAppDegradedAndFixed:
                    ScheduleStudio(connection, day);
                    break;
                case ConnectionStory.TeamKeyThenDisconnected:
                    ScheduleGames(connection, day);
                    break;
                case ConnectionStory.OperatorsLate:
                    // The integration user is already in this team (an invitation accepted earlier): operators only
                    // have to register a key, and they are late.
                    At(day.AddHours(9), () =>
                    {
                        fakes.Asc.SetUserRoles(IntegrationEmail, connection.Plan.Roles, connection.Plan.Team);
                        return ConfirmTeamAsync(connection);
                    });
                    At(day.AddDays(1).AddHours(9), () => LookAtWorkListAsync(connection, "worklist-overdue"));
                    // The customer's deadline is 3 working days after the confirmation; wake the setup just after it,
                    // and once more three hours later (the owner must be told of the delay once).
                    At(day.AddDays(3).AddHours(9).AddMinutes(5), () => WakeSetupAsync(connection, "deadline"));
                    At(day.AddDays(3).AddHours(12).AddMinutes(5), () => WakeSetupAsync(connection, "deadline+3h"));
                    At(day.AddDays(4).AddHours(10), () => OperatorsRegisterTeamKeyAsync(connection, accept: false));
                    break;
                case ConnectionStory.NoInvitationAtFirst:
                    At(day.AddHours(8).AddMinutes(30), () => ConfirmTeamAsync(connection));
                    At(day.AddHours(10).AddMinutes(30), () => LookAtWorkListAsync(connection, "worklist"));
                    At(day.AddHours(11), () => OperatorsFindNoInvitationAsync(connection));
                    At(day.AddHours(14), () => InviteAndConfirmAsync(connection));
                    At(day.AddDays(1).AddHours(10), () => OperatorsRegisterTeamKeyAsync(connection, accept: true));
                    break;
            }
        }
        At(plan.End, () => gaugeListener?.Dispose());
    }

    private void ScheduleStudio(ConnectionState studio, DateTimeOffset day)
    {
        At(day.AddHours(9), () => InviteAndConfirmAsync(studio));
        At(day.AddHours(11), () => OperatorsRegisterTeamKeyAsync(studio, accept: true));
        At(day.AddHours(12).AddMinutes(30), () => RegisterOfferedAppsAsync(studio));
        var removed = plan.Start.AddDays(MonthPlan.UserRemovedOnDay).AddHours(12);
        At(removed, () => fakes.Asc.RemoveUser(IntegrationEmail, studio.Plan.Team));
        // The daily check (05:00, spread over an hour) finds the user gone.
        At(removed.AddHours(19).AddMinutes(30), () => LookAtAsync(studio, "degraded"));
        At(removed.AddHours(20), () => ReplyToAsync(plan.HeldReplyReview!, "Thanks, we hear you (held)."));
        At(removed.AddHours(21), () => LookAtReplyAsync(studio, plan.HeldReplyReview!, "held-reply"));
        At(removed.AddHours(22), () => CustomerFixesAsync(studio));
    }

    private void ScheduleGames(ConnectionState games, DateTimeOffset day)
    {
        At(day.AddHours(14), () => UploadTeamKeyAsync(games));
        At(day.AddDays(1).AddHours(10), () => ReplyToAsync(plan.FirstTeamKeyReplyReview!, "Thanks for playing!"));
        At(day.AddDays(1).AddHours(12), () => LookAtAsync(games, "after-first-reply"));
        At(plan.Start.AddDays(MonthPlan.DisconnectOnDay).AddHours(10), () => DisconnectAsync(games));
    }

    /// <summary>A member of the account (not its owner): the one who tries to disconnect first.</summary>
    private Task AddMemberAsync() => CallAsync(HttpMethod.Post, $"/api/accounts/{AccountId}/members",
        new { userId = MemberUserId, email = "member@acme-sim.test", role = "member" }, 200);

    private async Task InviteAndConfirmAsync(ConnectionState connection)
    {
        fakes.Asc.Invite(IntegrationEmail, connection.Plan.Roles, team: connection.Plan.Team);
        await ConfirmTeamAsync(connection);
    }

    /// <summary>"I've invited", once for the whole team.</summary>
    private async Task ConfirmTeamAsync(ConnectionState connection)
    {
        Count(connection.CustomerCalls, "confirm");
        await CallAsync(HttpMethod.Post, $"/api/accounts/{AccountId}/connections",
            new { team = connection.Plan.Team, kind = connection.Plan.Kind }, 202);
        await AwaitStatusAsync(connection, "awaitingOperator");
        await LookAtAsync(connection, $"confirmed-{connection.CustomerCalls["confirm"]}");
    }

    /// <summary>
    /// Operators accept the invitation in the team and register one key for the whole team; the key sees every app
    /// of the team (the macOS one too).
    /// </summary>
    private async Task OperatorsRegisterTeamKeyAsync(ConnectionState connection, bool accept)
    {
        if (accept)
        {
            fakes.Asc.AcceptInvitation(IntegrationEmail, connection.Plan.Team);
        }
        connection.Key = fakes.Asc.CreateKey(team: connection.Plan.Team);
        ShowTeamAppsTo(connection);
        Count(connection.OperatorCalls, "credential");
        await CallAsync(HttpMethod.Post, $"{ConnectionPath(connection)}/credential", new
        {
            issuerId = connection.Key.IssuerId, keyId = connection.Key.KeyId, privateKey = connection.Key.PrivateKeyPem,
        }, 200, OperatorToken);
        await AwaitActiveAsync(connection);
    }

    private void ShowTeamAppsTo(ConnectionState connection)
    {
        foreach (var app in AppsOf(connection))
        {
            fakes.Asc.AddAppForKey(app.Plan.StoreAppId, app.Plan.Name, connection.Key!.KeyId,
                app.Plan.Platform == "macos" ? "MAC_OS" : "IOS");
        }
    }

    /// <summary>The customer uploads a team key (issuer id, key id, .p8): no operator acts.</summary>
    private async Task UploadTeamKeyAsync(ConnectionState connection)
    {
        connection.Key = fakes.Asc.CreateKey(team: connection.Plan.Team);
        ShowTeamAppsTo(connection);
        Count(connection.CustomerCalls, "team-key");
        connection.Seen["uploaded-at"] = JsonSerializer.SerializeToElement(host.Now);
        await CallAsync(HttpMethod.Post, $"/api/accounts/{AccountId}/connections/team-key", new
        {
            team = connection.Plan.Team, kind = connection.Plan.Kind, issuerId = connection.Key.IssuerId,
            keyId = connection.Key.KeyId, privateKey = connection.Key.PrivateKeyPem,
        }, 202);
        await AwaitActiveAsync(connection);
    }

    /// <summary>The customer reads the team's apps the connection found and registers the unregistered ones in one
    /// call.</summary>
    private async Task RegisterOfferedAppsAsync(ConnectionState connection)
    {
        var path = $"{ConnectionPath(connection)}/apps";
        connection.Seen["apps-before-offer"] = (await CallAsync(HttpMethod.Get, path, null, 200)).Json.Clone();
        foreach (var app in AppsOf(connection).Where(a => a.Plan.RegisteredByOffer))
        {
            Count(connection.CustomerCalls, "offer");
            var registered = (await CallAsync(HttpMethod.Post, path,
                new { territories = app.Plan.Territories, ascAppIds = new[] { app.Plan.StoreAppId } }, 200)).Json;
            var item = registered.GetProperty("items").EnumerateArray()
                .Single(i => i.GetProperty("ascAppId").GetString() == app.Plan.StoreAppId);
            app.AppId = item.GetProperty("appIds")[0].GetString()!;
            app.ActivatedAt = host.Now;
        }
        await host.StepAsync();
        connection.Seen["apps-after-offer"] = (await CallAsync(HttpMethod.Get, path, null, 200)).Json.Clone();
    }

    private async Task LookAtWorkListAsync(ConnectionState connection, string name) =>
        connection.Seen[name] =
            (await CallAsync(HttpMethod.Get, "/api/operators/connections/waiting", null, 200, OperatorToken)).Json
            .Clone();

    private async Task OperatorsFindNoInvitationAsync(ConnectionState connection)
    {
        Count(connection.OperatorCalls, "no-invitation");
        connection.Seen["no-invitation"] = (await CallAsync(HttpMethod.Post,
            $"{ConnectionPath(connection)}/no-invitation", null, 200, OperatorToken)).Json.Clone();
    }

    /// <summary>
    /// What the setup's durable timer would do at this simulated moment (it runs on real time here): wake and check.
    /// </summary>
    private async Task WakeSetupAsync(ConnectionState connection, string name)
    {
        var instanceId = IntegrationSetupFunctions.InstanceIdFor(AccountId, connection.ConnectionId);
        var emails = fakes.SendGrid.Emails.Count;
        await host.Durable.Client.RaiseEventAsync(
            instanceId, RolesUpdatedEvent.Name, new RolesUpdatedEvent(UserId: null, ToldAt: host.Now));
        // The check and, at the deadline, the owner's delay email run in the orchestration: give it real time to.
        var started = Stopwatch.StartNew();
        while (fakes.SendGrid.Emails.Count == emails && started.Elapsed < TimeSpan.FromSeconds(10))
        {
            await host.WaitAsync(Task.Delay(100), $"{SetupWait} woken at its deadline ({connection.Plan.Team})");
        }
        await LookAtAsync(connection, name);
    }

    private async Task CustomerFixesAsync(ConnectionState connection)
    {
        fakes.Asc.SetUserRoles(IntegrationEmail, connection.Plan.Roles, connection.Plan.Team);
        Count(connection.CustomerCalls, "fixed");
        var fixedIt = (await CallAsync(HttpMethod.Post, $"{ConnectionPath(connection)}/fixed", null, 200)).Json;
        connection.Seen["fixed"] = fixedIt.Clone();
        connection.Statuses.Add(fixedIt.GetProperty("status").GetString()!);
    }

    /// <summary>A member tries to disconnect (403), then the owner does.</summary>
    private async Task DisconnectAsync(ConnectionState connection)
    {
        var secret = Path.Combine(host.Configuration["Secrets:LocalDirectory"]!,
            IntegrationCredentials.SecretName(AccountId, connection.ConnectionId));
        connection.Seen["secret-before-disconnect"] = JsonSerializer.SerializeToElement(File.Exists(secret));
        var refused = await host.Http.DeleteAsync(ConnectionPath(connection), MemberToken);
        connection.Seen["member-disconnect"] = JsonSerializer.SerializeToElement(refused.Status);
        Count(connection.CustomerCalls, "disconnect");
        var answer = (await CallAsync(HttpMethod.Delete, ConnectionPath(connection), null, 200)).Json;
        connection.DisconnectedAt = host.Now;
        connection.Seen["disconnected"] = answer.Clone();
        connection.Statuses.Add(answer.GetProperty("status").GetString()!);
    }

    /// <summary>The team replies to a review of a connected app, like any reply of the team's (the books follow
    /// it).</summary>
    private Task ReplyToAsync(PlannedReview review, string body) =>
        ReplyAsync(new PlannedReplyAction(review, host.Now, body));

    private async Task LookAtReplyAsync(ConnectionState connection, PlannedReview review, string name)
    {
        var app = Apps[review.App.Key];
        var reply = await GetAsync($"/api/accounts/{AccountId}/apps/{app.AppId}/reviews/{review.AscId}/reply");
        connection.Seen[name] =
            reply.Status == 200 ? reply.Json.Clone() : JsonSerializer.SerializeToElement(reply.Status);
    }

    public async Task<JsonElement> ConnectionStatusAsync(ConnectionState connection) =>
        (await CallAsync(HttpMethod.Get, ConnectionPath(connection), null, 200)).Json;

    /// <summary>The SPA's view of the connection's audit trail.</summary>
    public async Task<JsonElement> ConnectionEventsAsync(ConnectionState connection) =>
        (await CallAsync(HttpMethod.Get, $"{ConnectionPath(connection)}/events", null, 200)).Json;

    private async Task LookAtAsync(ConnectionState connection, string name)
    {
        var status = await ConnectionStatusAsync(connection);
        connection.Seen[name] = status.Clone();
        connection.Statuses.Add(status.GetProperty("status").GetString()!);
    }

    private async Task AwaitStatusAsync(ConnectionState connection, string expected)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var status = (await ConnectionStatusAsync(connection)).GetProperty("status").GetString();
            if (status == expected)
            {
                return;
            }
            if (started.Elapsed > SimulatedHost.WaitGuard)
            {
                connection.Problems.Add($"{host.Now:MM-dd HH:mm} {connection.Plan.Team} stayed {status}, " +
                    $"expected {expected}");
                return;
            }
            await host.WaitAsync(Task.Delay(50), $"{SetupWait} status of {connection.Plan.Team}");
        }
    }

    /// <summary>
    /// The setup orchestration ends Active; then every registered app of the team is in force (its fetches go to the
    /// API).
    /// </summary>
    private async Task AwaitActiveAsync(ConnectionState connection)
    {
        var instanceId = IntegrationSetupFunctions.InstanceIdFor(AccountId, connection.ConnectionId);
        try
        {
            await host.WaitAsync(host.Durable.Client.WaitForInstanceCompletionAsync(instanceId),
                $"{SetupWait} orchestration of {connection.Plan.Team}");
        }
        catch (TimeoutException ex)
        {
            connection.Problems.Add(ex.Message);
            return;
        }
        await LookAtAsync(connection, "active");
        if (connection.Statuses[^1] != "active")
        {
            connection.Problems.Add($"{host.Now:MM-dd HH:mm} {connection.Plan.Team}'s setup ended " +
                $"{connection.Statuses[^1]}");
            return;
        }
        connection.ActivatedAt = host.Now;
        foreach (var app in AppsOf(connection).Where(a => a.AppId.Length > 0))
        {
            app.ActivatedAt = host.Now;
        }
    }

    private static void Count(Dictionary<string, int> calls, string call) =>
        calls[call] = calls.GetValueOrDefault(call) + 1;

    /// <summary>The operators-overdue gauge of this host's meter (other hosts' meters are ignored).</summary>
    private void ListenToOverdueGauge()
    {
        var meter = host.Services.GetRequiredService<ReviewHubMetrics>().Meter;
        gaugeListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter)
                    && instrument.Name == ReviewHubMetrics.Names.IntegrationsOperatorsOverdue)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        gaugeListener.SetMeasurementEventCallback<long>((_, value, _, _) => overdueGauge.Enqueue((host.Now, value)));
        gaugeListener.Start();
    }
}
