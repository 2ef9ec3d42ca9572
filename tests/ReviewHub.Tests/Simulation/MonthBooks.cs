using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Simulation;

/// <summary>One line of the books: what was checked, whether it holds, and the evidence.</summary>
public sealed record BookCheck(string Name, bool Passed, string Detail);

/// <summary>
/// The end-of-month books, counted from storage (the Azurite tables, every one of them) and from what the fakes received, never
/// from the app's own counters. A review is new — and must reach every route whose filters match it exactly once — when it
/// was created after the app's first import of its territory (the first public-feed request the fake saw); the history found
/// by that first import is summarised by design and reaches no channel (docs/delivery.md, Backfill).
/// </summary>
public sealed partial class MonthBooks
{
    /// <summary>Deliveries of a removed app are owed only for reviews this much older than the removal.</summary>
    private static readonly TimeSpan RemovalGrace = TimeSpan.FromHours(2);

    private const int Examples = 5;

    public List<BookCheck> Checks { get; } = [];
    public int Days { get; private init; }
    public int Reviews { get; private set; }
    public int Deliveries { get; private set; }
    public int Replies { get; private set; }
    public int Duplicates { get; private set; }
    public int Lost { get; private set; }
    public int Orphans { get; private set; }

    public bool Balanced => Checks.All(c => c.Passed);

    public string ResultLine =>
        $"RESULT simulated_days={Days} reviews={Reviews} deliveries={Deliveries} replies={Replies} duplicates={Duplicates} lost={Lost} orphans={Orphans}";

    public IEnumerable<string> Lines => Checks.Select(c => $"{(c.Passed ? "ok  " : "FAIL")} {c.Name}: {c.Detail}");

    public static async Task<MonthBooks> CountAsync(MonthScenario scenario, SimulatedHost host, SimulationFakes fakes, string secretsDirectory)
    {
        var books = new MonthBooks { Days = scenario.Plan.Options.Days, Reviews = scenario.Plan.Reviews.Count };
        var tables = host.Services.GetRequiredService<TableServiceClient>();
        books.CheckSetup(scenario);
        await books.CheckStoredOnceAsync(scenario, tables);
        await books.CheckDeliveriesAsync(scenario, tables, fakes);
        await books.CheckRepliesAsync(scenario, fakes);
        await books.CheckRemovedAppAsync(scenario, tables, secretsDirectory);
        books.CheckPoison(scenario, host);
        await books.CheckRevokedKeyAsync(scenario);
        books.CheckHost(host);
        return books;
    }

    private void Add(string name, bool passed, string detail) => Checks.Add(new BookCheck(name, passed, detail));

    private static string Sample(IEnumerable<string> items) => string.Join("; ", items.Take(Examples));

    private void CheckSetup(MonthScenario scenario)
    {
        var integrated = scenario.Apps.Values.Where(a => a.Plan.Integration is not null).ToList();
        var problems = integrated.Where(a => a.ActivatedAt is null)
            .Select(a => a.SetupProblem ?? $"{a.Plan.Name} was never activated").ToList();
        Add("integrations became active through the setup orchestration", problems.Count == 0,
            problems.Count == 0
                ? string.Join(", ", integrated.Select(a => $"{a.Plan.Name} on {a.ActivatedAt:MM-dd HH:mm}"))
                : Sample(problems));
        Add("every customer action was accepted", scenario.Anomalies.Count == 0,
            scenario.Anomalies.Count == 0 ? $"{scenario.Replies.Values.Sum(r => r.Versions)} reply versions written"
                : $"{scenario.Anomalies.Count}: {Sample(scenario.Anomalies)}");
    }

    /// <summary>Each review is one row of its app in the Reviews table, whether it came from the feed, the API or both.</summary>
    private async Task CheckStoredOnceAsync(MonthScenario scenario, TableServiceClient tables)
    {
        var reviews = tables.GetTableClient(TableNames.Reviews);
        int stored = 0, extra = 0, missing = 0, unexplained = 0;
        var examples = new List<string>();
        foreach (var app in scenario.Apps.Values.Where(a => a.RemovedAt is null))
        {
            var planned = scenario.Plan.Reviews.Where(r => r.App == app.Plan).ToList();
            var byId = planned.SelectMany(r => new[] { (r.FeedId, r), (r.AscId, r) }).ToDictionary(p => p.Item1, p => p.r);
            var rows = new Dictionary<PlannedReview, int>();
            await foreach (var row in reviews.QueryAsync<TableEntity>(e => e.PartitionKey == app.AppId, select: ["RowKey"]))
            {
                if (byId.TryGetValue(row.RowKey, out var review))
                {
                    rows[review] = rows.GetValueOrDefault(review) + 1;
                }
                else
                {
                    unexplained++;
                    examples.Add($"{app.Plan.Name} has a row {row.RowKey} that is no review of it");
                }
            }
            foreach (var review in planned)
            {
                var count = rows.GetValueOrDefault(review);
                stored += count > 0 ? 1 : 0;
                if (count > 1)
                {
                    extra += count - 1;
                    examples.Add($"{app.Plan.Name} review {review.Title} stored {count} times (feed {review.FeedId}, API {review.AscId})");
                }
                else if (count == 0 && scenario.Plan.CanBeFetched(review))
                {
                    missing++;
                    examples.Add($"{app.Plan.Name} review {review.Title} ({review.CreatedAt:MM-dd HH:mm}) never stored");
                }
            }
        }
        Duplicates += extra;
        Lost += missing;
        Add("each review stored once", extra == 0 && missing == 0 && unexplained == 0,
            $"{stored} reviews stored, {extra} extra rows, {missing} missing, {unexplained} unexplained. {Sample(examples)}");
    }

    /// <summary>
    /// Each new review reaches each of its app's routes whose filters match it exactly once, and nothing else reaches a route:
    /// receipts are read from the fake Slack (review links; a digest's unlisted reviews through the ledger row that recorded
    /// the message's ts), the emails to the routes' recipients, the Zendesk tickets' external ids and the webhook bodies.
    /// </summary>
    private async Task CheckDeliveriesAsync(MonthScenario scenario, TableServiceClient tables, SimulationFakes fakes)
    {
        var receipts = await ReceiptsAsync(scenario, tables, fakes);
        var firstImports = FirstImports(scenario, fakes);
        int delivered = 0, extra = 0, missing = 0, unwanted = 0;
        var examples = new List<string>();
        foreach (var app in scenario.Apps.Values)
        {
            foreach (var review in scenario.Plan.Reviews.Where(r => r.App == app.Plan))
            {
                var owed = OwedFor(scenario, app, review, firstImports);
                foreach (var route in app.Routes)
                {
                    var count = receipts.Counts.GetValueOrDefault((route.RouteId, review));
                    delivered += count > 0 ? 1 : 0;
                    var matches = route.Plan.Matches(review.Rating, review.Territory);
                    if (count > 1)
                    {
                        extra += count - 1;
                        examples.Add($"{review.Title} reached {app.Plan.Name}'s {route.Plan.Channel} route {count} times");
                    }
                    if (count > 0 && (!matches || owed == Owed.Never))
                    {
                        unwanted++;
                        examples.Add($"{review.Title} ({(matches ? "history" : "filtered out")}) reached {app.Plan.Name}'s {route.Plan.Channel} route");
                    }
                    if (count == 0 && matches && owed == Owed.Surely)
                    {
                        missing++;
                        examples.Add($"{review.Title} ({review.CreatedAt:MM-dd HH:mm}) never reached {app.Plan.Name}'s {route.Plan.Channel} route");
                    }
                }
            }
        }
        Deliveries = delivered;
        Duplicates += extra;
        Lost += missing;
        Add("each new review delivered once per matching route", extra == 0 && missing == 0 && unwanted == 0 && receipts.Unexplained.Count == 0,
            $"{delivered} deliveries, {extra} repeated, {missing} missing, {unwanted} to routes that were not owed them, " +
            $"{receipts.Unexplained.Count} unexplained receipts. {Sample(examples.Concat(receipts.Unexplained))}");
    }

    private enum Owed { Surely, Maybe, Never }

    private static Owed OwedFor(MonthScenario scenario, AppState app, PlannedReview review, IReadOnlyDictionary<(string, string), DateTimeOffset> firstImports)
    {
        var firstImport = firstImports.GetValueOrDefault((app.Plan.Key, review.Territory), DateTimeOffset.MaxValue);
        if (review.CreatedAt <= firstImport)
        {
            return Owed.Never; // history: found by the first import
        }
        var removedEarly = app.RemovedAt is { } removed && review.CreatedAt > removed - RemovalGrace;
        return removedEarly || !scenario.Plan.CanBeFetched(review) ? Owed.Maybe : Owed.Surely;
    }

    /// <summary>When the fake feed first served page 1 of each app's storefront: the app's first import of that territory.</summary>
    private static Dictionary<(string, string), DateTimeOffset> FirstImports(MonthScenario scenario, SimulationFakes fakes)
    {
        var requests = fakes.Feed.Requests;
        var result = new Dictionary<(string, string), DateTimeOffset>();
        foreach (var app in scenario.Plan.Apps)
        {
            foreach (var territory in app.Territories)
            {
                var path = $"/{AppStoreFeedPath(Territories.Storefront(territory), app.StoreAppId)}";
                if (requests.Where(r => r.Path == path).Select(r => (DateTimeOffset?)r.At).Min() is { } first)
                {
                    result[(app.Key, territory)] = first;
                }
            }
        }
        return result;
    }

    private static string AppStoreFeedPath(string storefront, string storeAppId) =>
        ReviewHub.Reviews.AppStoreFeedClient.PathFor(storefront, storeAppId, page: 1);

    private sealed record Receipts(Dictionary<(string RouteId, PlannedReview Review), int> Counts, List<string> Unexplained);

    private static async Task<Receipts> ReceiptsAsync(MonthScenario scenario, TableServiceClient tables, SimulationFakes fakes)
    {
        var receipts = new Receipts([], []);
        var routes = scenario.Apps.Values.SelectMany(a => a.Routes.Select(r => (App: a, Route: r))).ToList();
        void Count((AppState App, RouteState Route) target, string appId, string reviewId, string what)
        {
            var review = target.App.AppId == appId
                ? scenario.Plan.Reviews.FirstOrDefault(r => r.App == target.App.Plan && r.Is(reviewId))
                : null;
            if (review is null)
            {
                receipts.Unexplained.Add($"{what} names review {reviewId} of app {appId}");
                return;
            }
            var key = (target.Route.RouteId, review);
            receipts.Counts[key] = receipts.Counts.GetValueOrDefault(key) + 1;
        }

        var ledger = await DeliveredLedgerAsync(scenario, tables);
        foreach (var message in fakes.Slack.Messages)
        {
            var target = routes.Single(r => r.Route.Plan.Channel == "slack" && r.Route.Target == message.Channel);
            var ids = ReviewLink().Matches(message.BlocksJson).Select(m => (App: m.Groups[1].Value, Review: m.Groups[2].Value)).ToList();
            using var blocks = JsonDocument.Parse(message.BlocksJson);
            if (blocks.RootElement.EnumerateArray().Any(b => b.TryGetProperty("block_id", out var id) && id.GetString() == "more"))
            {
                // "…and N more": the digest lists 10; the others are the ledger rows that recorded this message.
                ids = [.. ids.Union(ledger.Where(l => l.RouteId == target.Route.RouteId && l.ExternalId == message.Ts)
                    .Select(l => (target.App.AppId, l.ReviewId)))];
            }
            foreach (var (app, review) in ids)
            {
                Count(target, app, review, $"Slack message {message.Ts}");
            }
        }
        foreach (var email in fakes.SendGrid.Emails)
        {
            var target = routes.SingleOrDefault(r => r.Route.Plan.Channel == "email" && email.To.Contains(r.Route.Target));
            if (target.App is null)
            {
                continue; // an email to the owner (integration, broken route), not a route's
            }
            foreach (Match link in ReviewLink().Matches(email.PlainText ?? string.Empty))
            {
                Count(target, link.Groups[1].Value, link.Groups[2].Value, $"email {email.MessageId}");
            }
        }
        foreach (var ticket in fakes.Zendesk.Tickets)
        {
            var match = ZendeskExternalId().Match(ticket.ExternalId ?? string.Empty);
            var target = routes.SingleOrDefault(r => r.Route.Plan.Channel == "zendesk" && r.App.AppId == match.Groups[1].Value);
            if (!match.Success || target.App is null)
            {
                receipts.Unexplained.Add($"Zendesk ticket {ticket.Id} with external id {ticket.ExternalId}");
                continue;
            }
            Count(target, match.Groups[1].Value, match.Groups[2].Value, $"ticket {ticket.Id}");
        }
        foreach (var webhook in fakes.Webhooks.Received)
        {
            var target = routes.Single(r => r.Route.Plan.Channel == "webhook" && r.Route.Target == webhook.Path);
            var data = JsonDocument.Parse(webhook.Body).RootElement.GetProperty("data");
            Count(target, data.GetProperty("appId").GetString()!, data.GetProperty("reviewId").GetString()!, $"webhook {webhook.Id}");
        }
        return receipts;
    }

    private sealed record LedgerRow(string RouteId, string ReviewId, string? ExternalId);

    private static async Task<List<LedgerRow>> DeliveredLedgerAsync(MonthScenario scenario, TableServiceClient tables)
    {
        var ledger = tables.GetTableClient(TableNames.Deliveries);
        var rows = new List<LedgerRow>();
        foreach (var app in scenario.Apps.Values)
        {
            await foreach (var row in ledger.QueryAsync<DeliveryEntity>(e => e.PartitionKey == app.AppId))
            {
                var split = row.RowKey.IndexOf('|');
                rows.Add(new LedgerRow(row.RowKey[..split], row.RowKey[(split + 1)..], row.ExternalId));
            }
        }
        return rows;
    }

    /// <summary>Every reply ends published (and App Store Connect shows its last body), deleted, or failed with a reason.</summary>
    private async Task CheckRepliesAsync(MonthScenario scenario, SimulationFakes fakes)
    {
        int published = 0, deleted = 0, failed = 0, open = 0;
        var examples = new List<string>();
        var failures = new Dictionary<string, int>();
        var live = scenario.Replies.Values.Where(r => scenario.Apps[r.Review.App.Key].RemovedAt is null).ToList();
        foreach (var reply in live)
        {
            var app = scenario.Apps[reply.Review.App.Key];
            var response = await scenario.GetAsync($"/api/accounts/{scenario.AccountId}/apps/{app.AppId}/reviews/{reply.ReviewId}/reply");
            var json = response.Status == 200 ? response.Json : default;
            var status = response.Status == 200 ? json.GetProperty("status").GetString() : $"HTTP {response.Status}";
            var atApple = fakes.Asc.ResponseForReview(reply.ReviewId);
            switch (status)
            {
                case "published" when !reply.Deleted && atApple is { State: "PUBLISHED" } && atApple.ResponseBody == reply.LastBody:
                    published++;
                    break;
                case "deleted" when reply.Deleted && atApple is null:
                    deleted++;
                    break;
                case "failed" when json.GetProperty("failureCode").GetString() is { Length: > 0 } code
                    && json.GetProperty("failureReason").GetString() is { Length: > 0 }:
                    failed++;
                    failures[code] = failures.GetValueOrDefault(code) + 1;
                    break;
                default:
                    open++;
                    examples.Add($"{app.Plan.Name} reply to {reply.Review.Title} is {status} (expected {(reply.Deleted ? "deleted" : "published")}, " +
                                 $"App Store Connect shows {atApple?.State ?? "no response"})");
                    break;
            }
        }
        Replies = live.Count;
        Lost += open;
        Add("every reply in a final state with its reason", open == 0,
            $"{live.Count} replies: {published} published, {deleted} deleted, {failed} failed " +
            $"({string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}"))}), {open} not final. {Sample(examples)}");
    }

    /// <summary>After its removal has settled, not one row of any table, nor any secret, names the removed app.</summary>
    private async Task CheckRemovedAppAsync(MonthScenario scenario, TableServiceClient tables, string secretsDirectory)
    {
        foreach (var app in scenario.Apps.Values.Where(a => a.RemovedAt is not null))
        {
            var perTable = new Dictionary<string, int>();
            await foreach (var table in tables.QueryAsync())
            {
                await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                {
                    if (row.PartitionKey.Contains(app.AppId, StringComparison.Ordinal) || row.RowKey.Contains(app.AppId, StringComparison.Ordinal)
                        || row.Select(p => p.Value).OfType<string>().Any(v => v.Contains(app.AppId, StringComparison.Ordinal)))
                    {
                        perTable[table.Name] = perTable.GetValueOrDefault(table.Name) + 1;
                    }
                }
            }
            var secrets = Directory.Exists(secretsDirectory)
                ? Directory.EnumerateFiles(secretsDirectory).Count(f => Path.GetFileName(f).Contains(app.AppId, StringComparison.Ordinal))
                : 0;
            var orphans = perTable.Values.Sum() + secrets;
            Orphans += orphans;
            Add($"zero rows of the removed app ({app.Plan.Name}) in every table", orphans == 0,
                $"removed {app.RemovedAt:MM-dd HH:mm}; " + (orphans == 0 ? "no row in any table, no secret"
                    : string.Join(", ", perTable.Select(t => $"{t.Key} {t.Value}").Append($"secrets {secrets}"))));
        }
    }

    /// <summary>The only poison is what the scenario provokes: the revoked key's fetches, which a retry cannot fix.</summary>
    private void CheckPoison(MonthScenario scenario, SimulatedHost host)
    {
        var revoked = scenario.Apps.Values.Where(a => a.RevokedAt is not null).Select(a => a.AppId).ToHashSet();
        var provoked = 0;
        var unexpected = new List<string>();
        foreach (var queue in QueueNames.All)
        {
            foreach (var json in host.Queues.PoisonMessages(queue))
            {
                using var message = JsonDocument.Parse(json);
                var appId = message.RootElement.TryGetProperty("appId", out var id) ? id.GetString() : null;
                var error = message.RootElement.TryGetProperty("lastError", out var e) ? e.GetString() : null;
                if (queue == QueueNames.ReviewFetches && appId is not null && revoked.Contains(appId) && error?.Contains("401") == true)
                {
                    provoked++;
                }
                else
                {
                    unexpected.Add($"{queue}-poison: {Truncate(json)}");
                }
            }
        }
        var byHost = host.Queues.HostPoisoned.GroupBy(p => $"{p.Queue} after {p.DequeueCount} dequeues: {Truncate(p.Error)}")
            .Select(g => $"{g.Count()} × {g.Key}");
        Add("no poison except what the scenario provokes", unexpected.Count == 0,
            $"{provoked} provoked (fetches with the revoked key), {unexpected.Count} unexpected, of which the host poisoned " +
            $"{host.Queues.HostPoisoned.Count}. {Sample(byHost.Concat(unexpected))}");
    }

    /// <summary>The integration status of the app whose key was revoked says that App Store Connect refuses its key.</summary>
    private async Task CheckRevokedKeyAsync(MonthScenario scenario)
    {
        foreach (var app in scenario.Apps.Values.Where(a => a.RevokedAt is not null))
        {
            var status = await scenario.StatusAsync(app);
            var said = new[] { "status", "lastError", "failureReason", "nextStep" }
                .Select(p => status.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : string.Empty)
                .ToList();
            var visible = said.Skip(1).Any(text => RevokedKey().IsMatch(text));
            Add($"the revoked key is visible in {app.Plan.Name}'s integration status", visible,
                $"revoked {app.RevokedAt:MM-dd HH:mm}; status {said[0]}, lastError {Quote(said[1])}, failureReason {Quote(said[2])}, " +
                $"nextStep {Quote(said[3])}");
        }
    }

    private void CheckHost(SimulatedHost host)
    {
        var timerFailures = host.Counters.TimerFailures.ToList();
        Add("every timer run completed", timerFailures.Count == 0,
            $"{host.Timers.Sum(t => host.Counters.Invocations.GetValueOrDefault(t.Name))} runs of {host.Timers.Count} timers, " +
            $"{timerFailures.Count} failed. {Sample(timerFailures.Select(Truncate))}");
        Add("no queued message expired unprocessed", host.Queues.Expired == 0,
            $"{host.Queues.Expired} expired; {host.Queues.Pending} scheduled past the end of the month");
    }

    private static string Quote(string text) => text.Length == 0 ? "none" : $"\"{Truncate(text)}\"";

    private static string Truncate(string text) => text.Length <= 240 ? text : text[..239] + "…";

    [GeneratedRegex(@"/apps/([0-9a-f]{32})/reviews/([A-Za-z0-9-]+)")]
    private static partial Regex ReviewLink();

    [GeneratedRegex(@"^reviewhub-([0-9a-f]{32})-(.+)$")]
    private static partial Regex ZendeskExternalId();

    [GeneratedRegex(@"401|revoked|rejected", RegexOptions.IgnoreCase)]
    private static partial Regex RevokedKey();
}
