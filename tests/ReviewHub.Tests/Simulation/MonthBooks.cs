using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Replies;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.Simulation;

/// <summary>One line of the books: what was checked, whether it holds, and the evidence.</summary>
internal sealed record BookCheck(string Name, bool Passed, string Detail);

/// <summary>
/// The end-of-month books, counted from storage (the Azurite tables, every one of them) and from what the fakes
/// received, never from the app's own counters. A review is new — and must reach every route whose filters match it
/// exactly once — when it was created after the app's first import of its territory (the first public-feed request the
/// fake saw); the history found by that first import is summarised by design and reaches no channel (docs/delivery.md,
/// Backfill).
/// </summary>
internal sealed partial class MonthBooks
{
    /// <summary>Deliveries of a removed app are owed only for reviews this much older than the removal.</summary>
    private static readonly TimeSpan RemovalGrace = TimeSpan.FromHours(2);

    private const int Examples = 5;

    private MonthBooks(MonthScenario scenario, SimulatedHost host, SimulationFakes fakes)
    {
        Scenario = scenario;
        Host = host;
        Fakes = fakes;
        Tables = host.Services.GetRequiredService<TableServiceClient>();
        Days = scenario.Plan.Options.Days;
        Reviews = scenario.Plan.Reviews.Count;
    }

    public List<BookCheck> Checks { get; } = [];
    public int Days { get; }
    public int Reviews { get; }
    public int Deliveries { get; private set; }
    public int Replies { get; private set; }
    public int Duplicates { get; private set; }

    public int Lost { get; private set; }
    public int Orphans { get; private set; }

    /// <summary>Reply versions rules wrote (posted, or drafts approvers sent are counted apart).</summary>
    public int AutoReplies { get; private set; }
    public int ApprovedDrafts { get; private set; }
    public int SlackReplies { get; private set; }

    /// <summary>Reviews where a rule's version came after a version of a person: never allowed.</summary>
    public int OverwrittenHumanReplies { get; private set; }

    public int ReplyEvents { get; private set; }
    public int ReplyEventsLost { get; private set; }
    public int ReplyEventDuplicates { get; private set; }

    public bool Balanced => Checks.All(c => c.Passed);

    public string ResultLine => $"RESULT simulated_days={Days} reviews={Reviews} deliveries={Deliveries} " +
        $"replies={Replies} duplicates={Duplicates} lost={Lost} orphans={Orphans} " +
        $"auto_replies={AutoReplies} approved_drafts={ApprovedDrafts} " +
        $"slack_replies={SlackReplies} " +
        $"overwritten_human_replies={OverwrittenHumanReplies} reply_events={ReplyEvents} " +
        $"reply_events_lost={ReplyEventsLost} reply_event_duplicates={ReplyEventDuplicates} " +
        $"probe_first={ProbeFirst}{PlayFigures}";

    /// <summary>
    /// Reviews of integrated apps the feed probe stored first (under their feed id, created after the activation) and
    /// the App Store Connect fetch then adopted (the row carries the API id): the month must exercise the probe.
    /// </summary>
    public int ProbeFirst { get; private set; }

    public IEnumerable<string> Lines => Checks.Select(c => $"{(c.Passed ? "ok  " : "FAIL")} {c.Name}: {c.Detail}");

    private MonthScenario Scenario { get; }
    private SimulatedHost Host { get; }
    private SimulationFakes Fakes { get; }
    private TableServiceClient Tables { get; }
    private IEnumerable<AppState> LiveApps => Scenario.AllApps.Where(a => a.RemovedAt is null);

    public static async Task<MonthBooks> CountAsync(
        MonthScenario scenario, SimulatedHost host, SimulationFakes fakes, string secretsDirectory)
    {
        var books = new MonthBooks(scenario, host, fakes);
        books.CheckSetup();
        await books.CheckStoredOnceAsync();
        await books.CheckDeliveriesAsync();
        await books.CheckRepliesAsync();
        var history = await books.ReplyHistoryAsync();
        books.CheckReplyAutomation(history);
        await books.CheckReplyEventsAsync(history);
        await books.CheckRemovedAppAsync(secretsDirectory);
        books.CheckPoison();
        await books.CheckRevokedKeyAsync();
        await books.CheckGooglePlayAsync();
        await books.CheckConnectionsAsync(secretsDirectory);
        books.CheckHost();
        return books;
    }

    private void Add(string name, bool passed, string detail) => Checks.Add(new BookCheck(name, passed, detail));

    private static string Sample(IEnumerable<string> items) => string.Join("; ", items.Take(Examples));

    private void CheckSetup()
    {
        var integrated = Scenario.Apps.Values.Where(a => a.Plan.Integration is not null).ToList();
        var problems = integrated.Where(a => a.ActivatedAt is null)
            .Select(a => a.SetupProblem ?? $"{a.Plan.Name} was never activated").ToList();
        Add("integrations became active through the setup orchestration", problems.Count == 0, problems.Count == 0
            ? string.Join(", ", integrated.Select(a => $"{a.Plan.Name} on {a.ActivatedAt:MM-dd HH:mm}"))
            : Sample(problems));
        var anomalies = Scenario.Anomalies;
        Add("every customer action was accepted", anomalies.Count == 0, anomalies.Count == 0
            ? $"{Scenario.Replies.Values.Sum(r => r.Versions)} reply versions written"
            : $"{anomalies.Count}: {Sample(anomalies)}");
    }

    /// <summary>
    /// Each review is one row of its app in the Reviews table, whether it came from the feed, the API or both.
    /// </summary>
    private async Task CheckStoredOnceAsync()
    {
        var reviews = Tables.GetTableClient(ReviewTables.Reviews);
        int stored = 0, extra = 0, missing = 0, unexplained = 0;
        var examples = new List<string>();
        foreach (var app in LiveApps)
        {
            var rows = new Dictionary<PlannedReview, int>();
            var query = reviews.QueryAsync<TableEntity>(e => e.PartitionKey == app.AppId,
                select: ["RowKey", nameof(ReviewEntity.AscReviewId)]);
            await foreach (var row in query)
            {
                if (Find(app, row.RowKey) is { } review)
                {
                    ProbeFirst += row.RowKey == review.FeedId && row.GetString(nameof(ReviewEntity.AscReviewId))
                        == review.AscId && review.CreatedAt > app.ActivatedAt ? 1 : 0;
                    rows[review] = rows.GetValueOrDefault(review) + 1;
                }
                else
                {
                    unexplained++;
                    examples.Add($"{app.Plan.Name} has a row {row.RowKey} that is no review of it");
                }
            }
            foreach (var review in Scenario.Plan.Reviews.Where(r => r.App == app.Plan))
            {
                var count = rows.GetValueOrDefault(review);
                stored += count > 0 ? 1 : 0;
                if (count > 1)
                {
                    extra += count - 1;
                    examples.Add($"{app.Plan.Name} {review.Title}{Story(app, review)} stored {count} times " +
                        $"(feed id {review.FeedId}, API id {review.AscId})");
                }
                else if (count == 0 && Scenario.Plan.CanBeFetched(review))
                {
                    missing++;
                    examples.Add($"{app.Plan.Name} {review.Title} ({review.CreatedAt:MM-dd HH:mm}) never stored");
                }
            }
        }
        Duplicates += extra;
        Lost += missing;
        Add("each review stored once", extra == 0 && missing == 0 && unexplained == 0,
            $"{stored} reviews stored, {extra} extra rows, {missing} missing, {unexplained} unexplained. " +
            Sample(examples));
        Add("the feed probe announced reviews first and App Store Connect adopted their rows", ProbeFirst > 0,
            $"{ProbeFirst} reviews of integrated apps stored first by the probe, now carrying their API id");
    }

    /// <summary>
    /// What sets a review apart, for the examples: when it arrived, its edit, the activation it shortly preceded.
    /// </summary>
    private static string Story(AppState app, PlannedReview review)
    {
        var parts = new List<string> { $"created {review.CreatedAt:MM-dd HH:mm}" };
        if (review.EditedAt is { } edited)
        {
            parts.Add($"edited {edited:MM-dd HH:mm}");
        }
        if (app.ActivatedAt is { } activated && review.CreatedAt < activated
            && activated - review.CreatedAt < TimeSpan.FromHours(6))
        {
            parts.Add($"{(activated - review.CreatedAt).TotalMinutes:F0} min before the integration became active");
        }
        return $" ({string.Join(", ", parts)})";
    }

    private PlannedReview? Find(AppState app, string reviewId) =>
        Scenario.Plan.Reviews.FirstOrDefault(r => r.App == app.Plan && r.Is(reviewId));

    /// <summary>
    /// Each new review reaches each of its app's routes whose filters match it exactly once, and nothing else reaches a
    /// route. Receipts come from the fake Slack (review links; a digest's unlisted reviews through the ledger rows that
    /// recorded the message's ts), the emails to the routes' recipients, the Zendesk tickets' external ids and the
    /// webhook bodies.
    /// </summary>
    private async Task CheckDeliveriesAsync()
    {
        var receipts = await ReceiptsAsync();
        var firstImports = FirstImports();
        int delivered = 0, extra = 0, missing = 0, unwanted = 0;
        var examples = new List<string>();
        foreach (var app in Scenario.AllApps)
        {
            foreach (var review in Scenario.Plan.Reviews.Where(r => r.App == app.Plan))
            {
                var owed = OwedFor(app, review, firstImports);
                foreach (var route in app.Routes)
                {
                    var count = receipts.Counts.GetValueOrDefault((route.RouteId, review));
                    var matches = route.Plan.Matches(review.Rating, review.Territory);
                    var where = $"{app.Plan.Name}'s {route.Plan.Channel} route";
                    delivered += count > 0 ? 1 : 0;
                    if (count > 1)
                    {
                        extra += count - 1;
                        examples.Add($"{review.Title} reached {where} {count} times");
                    }
                    if (count > 0 && (!matches || owed == Owed.Never))
                    {
                        unwanted++;
                        examples.Add($"{review.Title} ({(matches ? "history" : "filtered out")}) reached {where}");
                    }
                    if (count == 0 && matches && owed == Owed.Surely && ConfirmedBefore(route, review))
                    {
                        missing++;
                        examples.Add($"{review.Title}{Story(app, review)} never reached {where}");
                    }
                }
            }
        }
        Deliveries = delivered;
        Duplicates += extra;
        Lost += missing;
        var balanced = extra == 0 && missing == 0 && unwanted == 0 && receipts.Unexplained.Count == 0;
        Add("each new review delivered once per matching route", balanced,
            $"{delivered} deliveries, {extra} repeated, {missing} missing, {unwanted} to routes not owed them, " +
            $"{receipts.Unexplained.Count} unexplained receipts. {Sample(examples.Concat(receipts.Unexplained))}");
    }

    private enum Owed { Surely, Maybe, Never }

    /// <summary>
    /// An email route owes only reviews created after its recipient confirmed (one created before may still go, when
    /// it was fetched after the confirmation).
    /// </summary>
    private bool ConfirmedBefore(RouteState route, PlannedReview review) =>
        route.Plan.Channel != "email"
        || Scenario.ConfirmedAt.TryGetValue(route.Target, out var confirmed) && confirmed < review.CreatedAt;

    private Owed OwedFor(AppState app, PlannedReview review, Dictionary<(string, string), DateTimeOffset> firstImports)
    {
        if (Scenario.Plan.IsAndroid(app.Plan))
        {
            return PlayOwed(review);
        }
        var firstImport = firstImports.GetValueOrDefault((app.Plan.Key, review.Territory), DateTimeOffset.MaxValue);
        if (review.CreatedAt <= firstImport)
        {
            return Owed.Never; // history: found by the first import
        }
        var removedSoon = app.RemovedAt is { } removed && review.CreatedAt > removed - RemovalGrace;
        return removedSoon || !Scenario.Plan.CanBeFetched(review) ? Owed.Maybe : Owed.Surely;
    }

    /// <summary>
    /// When the fake feed first served page 1 of each app's storefront: the app's first import of that territory.
    /// </summary>
    private Dictionary<(string, string), DateTimeOffset> FirstImports()
    {
        var requests = Fakes.Feed.Requests;
        var result = new Dictionary<(string, string), DateTimeOffset>();
        foreach (var app in Scenario.Plan.Apps)
        {
            foreach (var territory in app.Territories)
            {
                var path = "/" + AppStoreFeedClient.PathFor(Territories.Storefront(territory), app.StoreAppId, page: 1);
                if (requests.Where(r => r.Path == path).Select(r => (DateTimeOffset?)r.At).Min() is { } first)
                {
                    result[(app.Key, territory)] = first;
                }
            }
        }
        return result;
    }

    private sealed record Receipts(
        Dictionary<(string RouteId, PlannedReview Review), int> Counts, List<string> Unexplained);

    private sealed record Target(AppState App, RouteState Route);

    private async Task<Receipts> ReceiptsAsync()
    {
        var receipts = new Receipts([], []);
        var targets = Scenario.AllApps.SelectMany(a => a.Routes.Select(r => new Target(a, r))).ToList();
        Target? RouteOf(string channel, Func<Target, bool> identifies) =>
            targets.SingleOrDefault(t => t.Route.Plan.Channel == channel && identifies(t));
        void Count(Target target, string appId, string reviewId, string what)
        {
            if ((target.App.AppId == appId ? Find(target.App, reviewId) : null) is not { } review)
            {
                receipts.Unexplained.Add($"{what} names review {reviewId} of app {appId}");
                return;
            }
            var key = (target.Route.RouteId, review);
            receipts.Counts[key] = receipts.Counts.GetValueOrDefault(key) + 1;
        }

        var ledger = await DeliveredLedgerAsync();
        foreach (var message in Fakes.Slack.Messages)
        {
            var target = RouteOf("slack", t => t.Route.Target == message.Channel)!;
            var ids = ReviewLink().Matches(message.BlocksJson)
                .Select(m => (m.Groups[1].Value, Uri.UnescapeDataString(m.Groups[2].Value))).ToList();
            using var blocks = JsonDocument.Parse(message.BlocksJson);
            if (blocks.RootElement.EnumerateArray()
                .Any(b => b.TryGetProperty("block_id", out var id) && id.GetString() == "more"))
            {
                // "…and N more": the digest lists 10; the others are the ledger rows that recorded this message.
                var recorded = ledger.Where(l => l.RouteId == target.Route.RouteId && l.ExternalId == message.Ts);
                ids = [.. ids.Union(recorded.Select(l => (target.App.AppId, l.ReviewId)))];
            }
            foreach (var (app, review) in ids)
            {
                Count(target, app, review, $"Slack message {message.Ts}");
            }
        }
        foreach (var email in Fakes.SendGrid.Emails)
        {
            // Emails to the owner (integration setup, broken routes) are not a route's.
            if (RouteOf("email", t => email.To.Contains(t.Route.Target)) is { } target)
            {
                foreach (Match link in ReviewLink().Matches(email.PlainText ?? string.Empty))
                {
                    Count(target, link.Groups[1].Value, Uri.UnescapeDataString(link.Groups[2].Value),
                        $"email {email.MessageId}");
                }
            }
        }
        foreach (var ticket in Fakes.Zendesk.Tickets)
        {
            var match = ZendeskExternalId().Match(ticket.ExternalId ?? string.Empty);
            if (RouteOf("zendesk", t => t.App.AppId == match.Groups[1].Value) is { } target && match.Success)
            {
                Count(target, match.Groups[1].Value, match.Groups[2].Value, $"ticket {ticket.Id}");
            }
            else
            {
                receipts.Unexplained.Add($"Zendesk ticket {ticket.Id} with external id {ticket.ExternalId}");
            }
        }
        foreach (var webhook in Fakes.Webhooks.Received.Where(w => !IsReplyEvent(w)))
        {
            var target = RouteOf("webhook", t => t.Route.Target == webhook.Path)!;
            var data = JsonDocument.Parse(webhook.Body).RootElement.GetProperty("data");
            Count(target, data.GetProperty("appId").GetString()!, data.GetProperty("reviewId").GetString()!,
                $"webhook {webhook.Id}");
        }
        return receipts;
    }

    private sealed record LedgerRow(string RouteId, string ReviewId, string? ExternalId);

    private async Task<List<LedgerRow>> DeliveredLedgerAsync()
    {
        var ledger = Tables.GetTableClient(DeliveryTables.Deliveries);
        var rows = new List<LedgerRow>();
        foreach (var app in Scenario.AllApps)
        {
            await foreach (var row in ledger.QueryAsync<DeliveryEntity>(e => e.PartitionKey == app.AppId))
            {
                var split = row.RowKey.IndexOf('|');
                rows.Add(new LedgerRow(row.RowKey[..split], row.RowKey[(split + 1)..], row.ExternalId));
            }
        }
        return rows;
    }

    /// <summary>
    /// Every reply ends published (and App Store Connect shows its last body), deleted, or failed with a reason — or,
    /// for the app whose key was revoked (its connection stays degraded: nobody registers a new key this month), waits
    /// as paused with the cause and never reached App Store Connect after the revocation (issue 13, held replies).
    /// </summary>
    private async Task CheckRepliesAsync()
    {
        int published = 0, deleted = 0, failed = 0, held = 0, open = 0;
        var examples = new List<string>();
        var failures = new Dictionary<string, int>();
        var live = Scenario.Replies.Values.Where(r => Scenario.Apps[r.Review.App.Key].RemovedAt is null).ToList();
        foreach (var reply in live)
        {
            var app = Scenario.Apps[reply.Review.App.Key];
            var path = $"/api/accounts/{Scenario.AccountId}/apps/{app.AppId}/reviews/{reply.ReviewId}/reply";
            var response = await Scenario.GetAsync(path);
            var json = response.Status == 200 ? response.Json : default;
            var status = response.Status == 200 ? json.GetProperty("status").GetString() : $"HTTP {response.Status}";
            // Under the id Apple knows: a reply from Slack to a review the feed probe stored first used its feed id.
            var atApple = Fakes.Asc.ResponseForReview(reply.Review.AscId);
            switch (status)
            {
                case "published" when !reply.Deleted && atApple is { State: "PUBLISHED" }
                    && atApple.ResponseBody == reply.LastBody:
                    published++;
                    break;
                case "deleted" when reply.Deleted && atApple is null:
                    deleted++;
                    break;
                case "paused" when app.RevokedAt is not null
                    && json.GetProperty("lastError").GetString() is { Length: > 0 }
                    && (atApple is null || atApple.ResponseBody != reply.LastBody):
                    held++;
                    break;
                case "failed" when json.GetProperty("failureCode").GetString() is { Length: > 0 } code
                    && json.GetProperty("failureReason").GetString() is { Length: > 0 }:
                    failed++;
                    failures[code] = failures.GetValueOrDefault(code) + 1;
                    break;
                default:
                    open++;
                    var expected = reply.Deleted ? "deleted" : "published";
                    examples.Add($"{app.Plan.Name}'s reply to {reply.Review.Title} is {status}, expected {expected}; " +
                        $"App Store Connect shows {atApple?.State ?? "none"}");
                    break;
            }
        }
        Replies = live.Count;
        Lost += open;
        Add("every reply in a final state with its reason", open == 0,
            $"{live.Count} replies: {published} published, {deleted} deleted, {held} held (degraded), " +
            $"{failed} failed " +
            $"({string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}"))}), {open} not final. {Sample(examples)}");
    }

    private static bool IsReplyEvent(ReceivedWebhook webhook) =>
        JsonDocument.Parse(webhook.Body).RootElement.GetProperty("type").GetString()!.StartsWith("reply.",
            StringComparison.Ordinal);

    /// <summary>Every version of every reply of the live apps (the audit trail).</summary>
    private async Task<List<(AppState App, ReplyVersionEntity Version)>> ReplyHistoryAsync()
    {
        var rows = new List<(AppState, ReplyVersionEntity)>();
        foreach (var app in LiveApps)
        {
            await foreach (var row in Tables.GetTableClient(ReplyTables.ReplyHistory)
                .QueryAsync<ReplyVersionEntity>(e => e.PartitionKey == app.AppId))
            {
                rows.Add((app, row));
            }
        }
        return rows;
    }

    /// <summary>
    /// Rules answered five-star reviews and drafted one-star ones, approvers sent drafts, a member replied from Slack,
    /// and no rule's version ever
    /// came after a person's (the versioned store's guarantee). An automatic reply ends published or failed with its
    /// reason (or is still in Apple's moderation window at the month's end), unless the team replaced it.
    /// </summary>
    private void CheckReplyAutomation(List<(AppState App, ReplyVersionEntity Version)> history)
    {
        var byReview = history.GroupBy(h => (h.App.AppId, h.Version.ReviewId)).ToList();
        var overwritten = byReview.Where(g => g.Any(v => v.Version.RuleId is not null && g.Any(p =>
            p.Version.RuleId is null && p.Version.Version < v.Version.Version))).Select(g => g.Key.ReviewId).ToList();
        var settleBy = Scenario.Plan.End - TimeSpan.FromHours(13);
        // A version still in moderation when its app's key was revoked can never be followed again (as for the team's
        // replies, which the scenario keeps out of the 13 hours before the revocation; rules cannot wait).
        var unsettled = history.Where(h => h.Version.RuleId is not null && h.Version.RequestedAt < settleBy
            && !(h.App.RevokedAt is { } revoked && h.Version.RequestedAt >= revoked - TimeSpan.FromHours(13))
            && h.Version.Outcome is nameof(ReplyOutcome.Queued) or nameof(ReplyOutcome.PendingPublish))
            .Select(h => $"{h.App.Plan.Name} {h.Version.ReviewId} v{h.Version.Version} {h.Version.Outcome}").ToList();
        AutoReplies = history.Count(h => h.Version.RuleId is not null);
        ApprovedDrafts = history.Count(h => h.Version.Via == "draft");
        SlackReplies = history.Count(h => h.Version.Via == "slack");
        OverwrittenHumanReplies = overwritten.Count;
        Lost += unsettled.Count;
        var approved = LiveApps.Sum(a => Scenario.ApprovedDrafts.GetValueOrDefault(a.Plan.Key));
        var fromSlack = Scenario.SlackReplies.Count(key => LiveApps.Any(a => a.Plan.Key == key));
        var outcomes = history.Where(h => h.Version.RuleId is not null).GroupBy(h => h.Version.Outcome)
            .Select(g => $"{g.Key} {g.Count()}");
        Add("rules answer and draft, approvers send, and no rule overwrites a person",
            AutoReplies > 0 && ApprovedDrafts > 0 && ApprovedDrafts == approved
                && SlackReplies == fromSlack && Scenario.SlackReplies.Count > 0 && overwritten.Count == 0
                && unsettled.Count == 0,
            $"{AutoReplies} automatic replies ({string.Join(", ", outcomes)}), {ApprovedDrafts} drafts approved " +
            $"(the team approved {approved} of live apps, rejected {Scenario.RejectedDrafts} App Store Connect " +
            $"could not take), {SlackReplies} from Slack (the team sent {fromSlack} to live apps), " +
            $"{overwritten.Count} overwritten, {unsettled.Count} " +
            $"unsettled. {Sample(overwritten.Concat(unsettled))}");
    }

    /// <summary>
    /// Each webhook route (subscribed to every reply event) received each event its replies went through once:
    /// sent for every version that reached App Store Connect, published, failed, overdue and outdated as the reply
    /// rows and their audit trail record them (changes in the month's last hour may still be on their way).
    /// </summary>
    private async Task CheckReplyEventsAsync(List<(AppState App, ReplyVersionEntity Version)> history)
    {
        var until = Scenario.Plan.End - TimeSpan.FromHours(1);
        var expected = new HashSet<(string Path, string ReviewId, int Version, string Type)>();
        var current = new List<(AppState App, ReplyEntity Reply)>();
        foreach (var app in LiveApps)
        {
            await foreach (var reply in Tables.GetTableClient(ReplyTables.Replies)
                .QueryAsync<ReplyEntity>(e => e.PartitionKey == app.AppId))
            {
                current.Add((app, reply));
            }
        }
        IEnumerable<RouteState> WebhooksOf(AppState app, string reviewId) => app.Routes.Where(r =>
            r.Plan.Channel == "webhook" && Find(app, reviewId) is { } review && r.Plan.Matches(review.Rating,
                review.Territory));
        foreach (var (app, version) in history.Where(h => h.Version.OutcomeAt < until))
        {
            var types = Scenario.Plan.IsAndroid(app.Plan) ? PlayReplyEvents(version) : version.Outcome switch
            {
                nameof(ReplyOutcome.Published) => new[] { "sent", "published" },
                nameof(ReplyOutcome.PendingPublish) or nameof(ReplyOutcome.Replaced) => ["sent"],
                nameof(ReplyOutcome.Failed) => ["failed"],
                _ => [],
            };
            foreach (var route in WebhooksOf(app, version.ReviewId))
            {
                foreach (var type in types)
                {
                    expected.Add((route.Target, version.ReviewId, version.Version, $"reply.{type}.v1"));
                }
            }
        }
        foreach (var (app, reply) in current)
        {
            foreach (var route in WebhooksOf(app, reply.ReviewId))
            {
                if (reply.OverdueAt < until)
                {
                    expected.Add((route.Target, reply.ReviewId, reply.Version, "reply.overdue.v1"));
                }
                if (reply.OutdatedAt < until)
                {
                    expected.Add((route.Target, reply.ReviewId, reply.Version, "reply.outdated.v1"));
                }
            }
        }
        var received = Fakes.Webhooks.Received.Where(IsReplyEvent).ToList();
        var seen = received.Select(w =>
        {
            var root = JsonDocument.Parse(w.Body).RootElement;
            var data = root.GetProperty("data");
            return (w.Path, data.GetProperty("reviewId").GetString()!,
                data.GetProperty("reply").GetProperty("version").GetInt32(), root.GetProperty("type").GetString()!);
        }).ToHashSet();
        var lost = expected.Where(e => !seen.Contains(e)).Select(e => $"{e.Type} of {e.ReviewId} v{e.Version} " +
            $"to {e.Path}").ToList();
        ReplyEvents = received.Count;
        ReplyEventsLost = lost.Count;
        ReplyEventDuplicates = received.Count - received.Select(w => (w.Path, w.Id)).Distinct().Count();
        var byType = received.GroupBy(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("type").GetString())
            .OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        Add("each reply event reached each subscribed webhook once",
            lost.Count == 0 && ReplyEventDuplicates == 0 && expected.Count > 0,
            $"{expected.Count} expected, {received.Count} received ({string.Join(", ", byType)}), {lost.Count} " +
            $"lost, {ReplyEventDuplicates} duplicates. {Sample(lost)}");
    }

    /// <summary>
    /// After its removal has settled, not one row of any table, nor any secret, names the removed app.
    /// </summary>
    private async Task CheckRemovedAppAsync(string secretsDirectory)
    {
        foreach (var app in Scenario.Apps.Values.Where(a => a.RemovedAt is not null))
        {
            bool Names(string? text) => text?.Contains(app.AppId, StringComparison.Ordinal) == true;
            var perTable = new Dictionary<string, int>();
            await foreach (var table in Tables.QueryAsync())
            {
                await foreach (var row in Tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                {
                    if (Names(row.PartitionKey) || Names(row.RowKey) || row.Select(p => p.Value as string).Any(Names))
                    {
                        perTable[table.Name] = perTable.GetValueOrDefault(table.Name) + 1;
                    }
                }
            }
            var secrets = Directory.Exists(secretsDirectory)
                ? Directory.EnumerateFiles(secretsDirectory).Count(f => Names(Path.GetFileName(f)))
                : 0;
            var orphans = perTable.Values.Sum() + secrets;
            Orphans += orphans;
            Add($"zero rows of the removed app ({app.Plan.Name}) in every table", orphans == 0,
                $"removed {app.RemovedAt:MM-dd HH:mm}; " + (orphans == 0
                    ? "no row in any table, no secret"
                    : string.Join(", ", perTable.Select(t => $"{t.Key} {t.Value}").Append($"secrets {secrets}"))));
        }
    }

    /// <summary>
    /// No poison at all: the revoked key's fetches pause while its connection is degraded (issue 13, item 4) instead
    /// of going to the poison queue as they did before.
    /// </summary>
    private void CheckPoison()
    {
        const int provoked = 0;
        var unexpected = new List<string>();
        foreach (var queue in ReviewHubStorage.Catalog.Queues)
        {
            foreach (var json in Host.Queues.PoisonMessages(queue))
            {
                unexpected.Add($"{queue}-poison: {Truncate(json)}");
            }
        }
        var byHost = Host.Queues.HostPoisoned
            .GroupBy(p => $"{p.Queue} after {p.DequeueCount} dequeues: {Truncate(p.Error)}")
            .Select(g => $"{g.Count()} × {g.Key}");
        Add("no poison (the revoked key's fetches pause)", unexpected.Count == 0,
            $"{provoked} provoked, {unexpected.Count} unexpected, of which the host " +
            $"poisoned {Host.Queues.HostPoisoned.Count}. {Sample(byHost.Concat(unexpected))}");
    }

    /// <summary>
    /// The integration status of the app whose key was revoked is degraded with the cause the health check found
    /// (keyRevoked), says since when App Store Connect refuses its key (no earlier than the revocation) and why, and
    /// the next step leads with the cause.
    /// </summary>
    private async Task CheckRevokedKeyAsync()
    {
        foreach (var app in Scenario.Apps.Values.Where(a => a.RevokedAt is not null))
        {
            var status = await Scenario.StatusAsync(app);
            string Said(string property) => status.TryGetProperty(property, out var value)
                && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
            var (state, refusedAt, refusal, nextStep) = (Said("status"), Said("keyRefusedAt"), Said("keyRefusal"),
                Said("nextStep"));
            var (cause, reason) = (Said("degradedCause"), Said("degradedReason"));
            var since = DateTimeOffset.TryParse(refusedAt, out var at) ? at : (DateTimeOffset?)null;
            Add($"the revoked key degrades {app.Plan.Name}'s connection with its cause",
                since >= app.RevokedAt && RevokedKey().IsMatch(refusal) && state == "degraded"
                && cause == "keyRevoked" && reason.Length > 0 && nextStep.StartsWith(reason, StringComparison.Ordinal),
                $"revoked {app.RevokedAt:MM-dd HH:mm}; status {state} ({cause}: {Quote(reason)}), " +
                $"keyRefusedAt {(since is null ? "none" : $"{since:MM-dd HH:mm}")}, keyRefusal {Quote(refusal)}, " +
                $"nextStep {Quote(nextStep)}");
        }
    }

    private void CheckHost()
    {
        // A handler that holds on to a long Retry-After waits on the clock: the host had to move it for it to finish.
        var waits = Host.Counters.Nudges
            .Where(n => !n.Key.StartsWith(MonthScenario.SetupWait, StringComparison.Ordinal))
            .Select(n => $"{n.Value} for {n.Key}").ToList();
        Add("no handler waited out a rate limit", waits.Count == 0,
            $"{Scenario.RateLimits.Count} rate limits of {MonthScenario.LongRetryAfter.TotalSeconds} s injected " +
            $"({string.Join(", ", Scenario.RateLimits)}), {Scenario.RateLimitsLeft} never hit; the clock had to be " +
            $"nudged {(waits.Count == 0 ? "never" : string.Join(", ", waits))}");
        var timerFailures = Host.Counters.TimerFailures.ToList();
        var runs = Host.Timers.Sum(t => Host.Counters.Invocations.GetValueOrDefault(t.Name));
        Add("every timer run completed", timerFailures.Count == 0,
            $"{runs} runs of {Host.Timers.Count} timers, {timerFailures.Count} failed. {Sample(timerFailures)}");
        Add("no queued message expired unprocessed", Host.Queues.Expired == 0,
            $"{Host.Queues.Expired} expired; {Host.Queues.Pending} scheduled past the end of the month");
    }

    private static string Quote(string text) => text.Length == 0 ? "none" : $"\"{Truncate(text)}\"";

    private static string Truncate(string text) => text.Length <= 240 ? text : text[..239] + "…";

    /// <summary>A review link; the id is escaped as in a URL (Play's ids hold ':').</summary>
    [GeneratedRegex(@"/apps/([0-9a-f]{32})/reviews/([A-Za-z0-9%._~-]+)")]
    private static partial Regex ReviewLink();

    [GeneratedRegex(@"^reviewhub-([0-9a-f]{32})-(.+)$")]
    private static partial Regex ZendeskExternalId();

    [GeneratedRegex(@"refused the registered API key \(401 NOT_AUTHORIZED\)")]
    private static partial Regex RevokedKey();
}
