using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// The books of the team connections (issue 13), from what the SPA and the operators were shown at the story's
/// moments, the tables, the secret store and what the fakes received.
/// </summary>
internal sealed partial class MonthBooks
{
    private async Task CheckConnectionsAsync(string secretsDirectory)
    {
        if (Scenario.Connections.Count == 0)
        {
            return;
        }
        var problems = Scenario.Connections.Values.SelectMany(c => c.Problems).ToList();
        var inactive = Scenario.Connections.Values.Where(c => c.ActivatedAt is null).Select(c => c.Plan.Team).ToList();
        Add("team connections became active, one setup per team", problems.Count == 0 && inactive.Count == 0,
            string.Join(", ", Scenario.Connections.Values.Select(c => $"{c.Plan.Team} on {c.ActivatedAt:MM-dd HH:mm} " +
                $"(customer {Calls(c.CustomerCalls)}; operators {Calls(c.OperatorCalls)})")) +
            $". {Sample(problems.Concat(inactive.Select(t => $"{t} never active")))}");
        foreach (var connection in Scenario.Connections.Values)
        {
            switch (connection.Plan.Story)
            {
                case ConnectionStory.MultiAppDegradedAndFixed:
                    await CheckMultiAppTeamAsync(connection);
                    await CheckDegradedAndFixedAsync(connection);
                    break;
                case ConnectionStory.TeamKeyThenDisconnected:
                    CheckTeamKey(connection);
                    await CheckDisconnectAsync(connection, secretsDirectory);
                    break;
                case ConnectionStory.OperatorsLate:
                    CheckOperatorsLate(connection);
                    break;
                case ConnectionStory.NoInvitationAtFirst:
                    CheckNoInvitation(connection);
                    break;
            }
        }
    }

    private static string Calls(Dictionary<string, int> calls) =>
        calls.Count == 0 ? "none" : string.Join(" ", calls.Select(c => $"{c.Key}×{c.Value}"));

    private static string Said(JsonElement json, string property) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static JsonElement SeenOf(ConnectionState connection, string name) =>
        connection.Seen.GetValueOrDefault(name);

    private int OwnerEmails(ConnectionState connection, string phrase) => Fakes.SendGrid.Emails.Count(e =>
        e.To.Contains(Scenario.OwnerEmail) && e.Subject.Contains(phrase, StringComparison.Ordinal)
        && e.Subject.Contains($"team {connection.Plan.Team}", StringComparison.Ordinal));

    /// <summary>
    /// One invitation, one "I've invited", one key for three apps: the verified connection lists the team's apps
    /// (the macOS one with its platform), links the registered ones, registers the third through its offer in one
    /// call, and every one of them is then fetched from the API (rows carrying their API id).
    /// </summary>
    private async Task CheckMultiAppTeamAsync(ConnectionState connection)
    {
        var apps = Scenario.Apps.Values.Where(a => a.Plan.Connection == connection.Plan).ToList();
        var before = AppsListed(SeenOf(connection, "apps-before-offer"));
        var after = AppsListed(SeenOf(connection, "apps-after-offer"));
        var linkedBefore = apps.Count(a => !a.Plan.RegisteredByOffer && before.TryGetValue(a.Plan.StoreAppId,
            out var listed) && listed.AppIds.Contains(a.AppId));
        var offered = apps.Where(a => a.Plan.RegisteredByOffer).ToList();
        var offeredBefore = offered.Count(a => before.TryGetValue(a.Plan.StoreAppId, out var listed)
            && !listed.Registered && listed.Platforms.Contains(a.Plan.Platform == "macos" ? "MAC_OS" : "IOS"));
        var linkedAfter = apps.Count(a => a.AppId.Length > 0 && after.TryGetValue(a.Plan.StoreAppId, out var listed)
            && listed.Registered && listed.AppIds.Contains(a.AppId));
        var fromApi = new List<string>();
        foreach (var app in apps.Where(a => a.AppId.Length > 0))
        {
            var rows = 0;
            await foreach (var row in Tables.GetTableClient(ReviewTables.Reviews).QueryAsync<TableEntity>(
                e => e.PartitionKey == app.AppId, select: ["RowKey", nameof(ReviewEntity.AscReviewId)]))
            {
                rows += FromApi(app, row) ? 1 : 0;
            }
            fromApi.Add($"{app.Plan.Key} {rows}");
        }
        var calls = connection.CustomerCalls;
        var onceEach = calls.GetValueOrDefault("confirm") == 1 && calls.GetValueOrDefault("offer") == offered.Count
            && connection.OperatorCalls.GetValueOrDefault("credential") == 1 && connection.OperatorCalls.Count == 1;
        Add($"one connection serves {connection.Plan.Team}'s {apps.Count} apps",
            apps.Count >= 3 && onceEach && before.Count == apps.Count && linkedBefore == apps.Count - offered.Count
                && offeredBefore == offered.Count && linkedAfter == apps.Count && fromApi.Count == apps.Count
                && fromApi.All(f => !f.EndsWith(" 0", StringComparison.Ordinal)),
            $"customer {Calls(calls)}, operators {Calls(connection.OperatorCalls)}; listed {before.Count} apps, " +
            $"{linkedBefore} linked, {offeredBefore} offered; after the offer {linkedAfter} registered and linked; " +
            $"rows fetched from the API: {string.Join(", ", fromApi)}");
    }

    /// <summary>A row the API fetch wrote (under the API id) or adopted (a feed row now carrying its API id).</summary>
    private bool FromApi(AppState app, TableEntity row) =>
        Find(app, row.RowKey) is { } review && (row.RowKey == review.AscId
            || row.GetString(nameof(ReviewEntity.AscReviewId)) == review.AscId);

    private sealed record ListedApp(IReadOnlyList<string> AppIds, IReadOnlyList<string> Platforms, bool Registered);

    private static Dictionary<string, ListedApp> AppsListed(JsonElement json) =>
        json.ValueKind != JsonValueKind.Object ? [] : json.GetProperty("items").EnumerateArray().ToDictionary(
            i => i.GetProperty("ascAppId").GetString()!,
            i => new ListedApp(
                [.. i.GetProperty("appIds").EnumerateArray().Select(a => a.GetString()!)],
                [.. i.GetProperty("platforms").EnumerateArray().Select(p => p.GetString()!)],
                i.GetProperty("registered").GetBoolean()));

    /// <summary>
    /// The integration user removed mid-month: the daily check degrades the connection with that exact cause, a reply
    /// written then waits as paused and nothing reaches App Store Connect, the owner is emailed once, "I fixed it"
    /// makes it active without a new confirmation, the held reply is sent exactly once, and the review that arrived in
    /// the gap is fetched from the API.
    /// </summary>
    private async Task CheckDegradedAndFixedAsync(ConnectionState connection)
    {
        var degraded = SeenOf(connection, "degraded");
        var held = SeenOf(connection, "held-reply");
        var fixedIt = SeenOf(connection, "fixed");
        var review = Scenario.Plan.HeldReplyReview!;
        var fixedAt = Scenario.Plan.Start.AddDays(MonthPlan.UserRemovedOnDay).AddHours(22);
        var sends = Fakes.Asc.Requests.Where(r => r.Method == "POST" && r.Path == "/v1/customerReviewResponses"
            && r.Body.Contains(review.AscId, StringComparison.Ordinal)).ToList();
        var atApple = Fakes.Asc.ResponseForReview(review.AscId);
        var emails = OwnerEmails(connection, "lost its App Store Connect connection");
        var events = (await Scenario.ConnectionEventsAsync(connection)).GetProperty("items").EnumerateArray()
            .Select(e => Said(e, "event")).ToList();
        var gap = Scenario.Plan.GapReview!;
        var gapApp = Scenario.Apps[gap.App.Key];
        var gapRow = await Tables.GetTableClient(ReviewTables.Reviews).QueryAsync<TableEntity>(
            e => e.PartitionKey == gapApp.AppId && (e.RowKey == gap.AscId || e.RowKey == gap.FeedId)).ToListAsync();
        var gapFromApi = gapRow.Count == 1 && FromApi(gapApp, gapRow[0]);
        Add($"{connection.Plan.Team} degraded with its cause, held the reply and recovered with the gap",
            Said(degraded, "status") == "degraded" && Said(degraded, "degradedCause") == "userRemoved"
                && Said(degraded, "actor") == "customer" && Said(held, "status") == "paused"
                && sends.Count == 1 && sends[0].At > fixedAt.AddMinutes(-1) && atApple is { State: "PUBLISHED" }
                && emails == 1 && Said(fixedIt, "status") == "active"
                && connection.CustomerCalls.GetValueOrDefault("confirm") == 1
                && events.Contains("degraded") && events.Contains("recovered") && gapFromApi,
            $"seen {Said(degraded, "status")} ({Said(degraded, "degradedCause")}, actor {Said(degraded, "actor")}: " +
            $"{Quote(Said(degraded, "degradedReason"))}); the reply written then was {Said(held, "status")}, sent " +
            $"{sends.Count} time(s) ({string.Join(", ", sends.Select(s => $"{s.At:MM-dd HH:mm}"))}), Apple shows " +
            $"{atApple?.State ?? "none"}; {emails} owner email(s); \"I fixed it\" answered " +
            $"{Said(fixedIt, "status")}; events {string.Join(", ", events)}; the gap's review {gap.Title} " +
            $"({gap.CreatedAt:MM-dd HH:mm}) stored {gapRow.Count} time(s), from the API: {gapFromApi}");
    }

    /// <summary>A team key: active at the upload's simulated minute with no operator, the reply permission unknown
    /// until the first reply, which confirms it and is published.</summary>
    private void CheckTeamKey(ConnectionState connection)
    {
        var active = SeenOf(connection, "active");
        var afterReply = SeenOf(connection, "after-first-reply");
        var uploaded = SeenOf(connection, "uploaded-at");
        var took = uploaded.ValueKind == JsonValueKind.String && connection.ActivatedAt is { } at
            ? at - uploaded.GetDateTimeOffset()
            : (TimeSpan?)null;
        var review = Scenario.Plan.FirstTeamKeyReplyReview!;
        var atApple = Fakes.Asc.ResponseForReview(review.AscId);
        Add($"{connection.Plan.Team} connected by its team key, and the first reply found the permission",
            took < TimeSpan.FromMinutes(5) && connection.OperatorCalls.Count == 0
                && Said(active, "method") == "teamKey" && Said(active, "replyPermission").Length == 0
                && Said(afterReply, "replyPermission") == "confirmed" && atApple is { State: "PUBLISHED" },
            $"active {took?.TotalMinutes:F0} simulated minutes after the upload, operators {Calls(
                connection.OperatorCalls)}; method {Said(active, "method")}, reply permission " +
            $"{Quote(Said(active, "replyPermission"))} before the first reply, " +
            $"{Quote(Said(afterReply, "replyPermission"))} after; Apple shows the reply {atApple?.State ?? "none"}");
    }

    /// <summary>
    /// The owner disconnects (a member is refused first): no App Store Connect request with its key afterwards, its
    /// secret gone, its apps back on the public feed with their new reviews stored and delivered (the books above),
    /// the event in the audit trail.
    /// </summary>
    private async Task CheckDisconnectAsync(ConnectionState connection, string secretsDirectory)
    {
        var at = connection.DisconnectedAt ?? DateTimeOffset.MaxValue;
        var member = SeenOf(connection, "member-disconnect");
        var keyId = connection.Key?.KeyId;
        var withKey = Fakes.Asc.Requests.Count(r => r.At >= at && KeyIdOf(r) == keyId);
        var secret = IntegrationCredentials.SecretName(Scenario.AccountId, connection.ConnectionId);
        var secretLeft = File.Exists(Path.Combine(secretsDirectory, secret));
        var secretBefore = SeenOf(connection, "secret-before-disconnect");
        var apps = Scenario.Apps.Values.Where(a => a.Plan.Connection == connection.Plan).ToList();
        var feedAfter = Fakes.Feed.Requests.Count(r => r.At > at
            && apps.Any(a => r.Path.Contains(a.Plan.StoreAppId, StringComparison.Ordinal)));
        var after = Scenario.Plan.AfterDisconnectReview!;
        var afterApp = Scenario.Apps[after.App.Key];
        var stored = await Tables.GetTableClient(ReviewTables.Reviews).QueryAsync<TableEntity>(
            e => e.PartitionKey == afterApp.AppId && (e.RowKey == after.FeedId || e.RowKey == after.AscId))
            .CountAsync();
        var events = (await Scenario.ConnectionEventsAsync(connection)).GetProperty("items").EnumerateArray()
            .Where(e => Said(e, "event") == "disconnected").Select(e => Said(e, "by")).ToList();
        var status = (await Scenario.ConnectionStatusAsync(connection)).GetProperty("status").GetString();
        Add($"{connection.Plan.Team} disconnected: its key unused and deleted, its apps back on the feed",
            member.ValueKind == JsonValueKind.Number && member.GetInt32() == 403
                && connection.DisconnectedAt is not null
                && status == "disconnected" && withKey == 0 && keyId is not null
                && secretBefore.ValueKind == JsonValueKind.True && !secretLeft && feedAfter > 0 && stored == 1
                && events.Count == 1 && events[0] == Scenario.OwnerUserId,
            $"a member's disconnect answered {member}; disconnected {connection.DisconnectedAt:MM-dd HH:mm}, status " +
            $"{status}; {withKey} App Store Connect requests with its key since; its secret there before: " +
            $"{secretBefore}, left after: {secretLeft}; {feedAfter} feed requests for its apps since; the review of " +
            $"{after.CreatedAt:MM-dd HH:mm} stored {stored} time(s); audit: disconnected by " +
            string.Join(", ", events));
    }

    /// <summary>The key id in the request's bearer token (the JWT header's <c>kid</c>).</summary>
    private static string? KeyIdOf(RecordedRequest request)
    {
        var header = request.Headers.GetValueOrDefault("Authorization") ?? string.Empty;
        var parts = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Split('.') : [];
        if (parts.Length != 3)
        {
            return null;
        }
        var padded = parts[0].Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded)));
        return json.RootElement.TryGetProperty("kid", out var kid) ? kid.GetString() : null;
    }

    /// <summary>
    /// Operators late: the work list shows the wait (overdue past 4 working hours), the overdue gauge rises, the owner
    /// is told of the delay once however often the setup wakes after the deadline, the setup is never failed, and it
    /// completes when operators register the key.
    /// </summary>
    private void CheckOperatorsLate(ConnectionState connection)
    {
        var item = WorkItem(SeenOf(connection, "worklist-overdue"), connection);
        var overdue = item is { } i && i.GetProperty("overdue").GetBoolean();
        var waiting = Scenario.Plan.Start.AddDays(connection.Plan.Day);
        var gauge = Scenario.OverdueGauge.Where(g => g.At > waiting && g.At < connection.ActivatedAt && g.Value > 0)
            .ToList();
        var atDeadline = SeenOf(connection, "deadline");
        var emails = OwnerEmails(connection, "ReviewHub is late connecting");
        Add($"{connection.Plan.Team}: operators late are alerted, the owner told once, the setup not failed",
            overdue && gauge.Count > 0 && emails == 1 && Said(atDeadline, "status") == "awaitingOperator"
                && Said(atDeadline, "actor") == "operators" && !connection.Statuses.Contains("failed")
                && connection.ActivatedAt is not null,
            $"work list after a day: overdue {overdue} ({item?.GetProperty("workingHoursWaited")} working hours); " +
            $"gauge above 0 {gauge.Count} times while it waited (first {gauge.FirstOrDefault().At:MM-dd HH:mm}); " +
            $"{emails} delay email(s); at the deadline {Said(atDeadline, "status")} (actor " +
            $"{Said(atDeadline, "actor")}); statuses seen {string.Join(" → ", connection.Statuses.Distinct())}");
    }

    private static JsonElement? WorkItem(JsonElement list, ConnectionState connection) =>
        list.ValueKind != JsonValueKind.Object ? null : list.GetProperty("items").EnumerateArray()
            .Where(i => Said(i, "connectionId") == connection.ConnectionId).Select(i => (JsonElement?)i)
            .FirstOrDefault();

    /// <summary>
    /// The customer forgot to invite: the work list (oldest first, with ages) shows it before operators look; their
    /// "no invitation found" hands it to the customer with one email; "I've invited" again, and it becomes active.
    /// </summary>
    private void CheckNoInvitation(ConnectionState connection)
    {
        var list = SeenOf(connection, "worklist");
        var items = list.ValueKind == JsonValueKind.Object
            ? list.GetProperty("items").EnumerateArray().ToList()
            : [];
        var since = items.Select(i => i.GetProperty("waitingSince").GetDateTimeOffset()).ToList();
        var oldestFirst = since.Count > 1 && since.Zip(since.Skip(1)).All(p => p.First <= p.Second);
        var late = Scenario.Connections.Values.Single(c => c.Plan.Story == ConnectionStory.OperatorsLate);
        var order = items.Select(i => Said(i, "connectionId")).ToList();
        var both = order.IndexOf(connection.ConnectionId) is >= 0 and var mine
            && order.IndexOf(late.ConnectionId) > mine
            && items.All(i => i.GetProperty("workingHoursWaited").GetDouble() > 0);
        var reported = SeenOf(connection, "no-invitation");
        var emails = OwnerEmails(connection, "Action needed: invite");
        Add($"{connection.Plan.Team}: the work list, then no invitation found, the customer invites again",
            oldestFirst && both && Said(reported, "actor") == "customer" && emails == 1
                && connection.CustomerCalls.GetValueOrDefault("confirm") == 2 && connection.ActivatedAt is not null,
            $"work list: {string.Join(", ", items.Select(i => $"{Said(i, "team")} since " +
                $"{i.GetProperty("waitingSince").GetDateTimeOffset():MM-dd HH:mm} " +
                $"({i.GetProperty("workingHoursWaited")} h)"))}; after \"no invitation found\" the actor is " +
            $"{Said(reported, "actor")}; {emails} owner email(s); customer {Calls(connection.CustomerCalls)}");
    }
}
