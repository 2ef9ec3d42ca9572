using System.Globalization;
using System.Text.Json;
using ReviewHub.Replies;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// The Android app's books (issue 15). Its reviews are counted with every app's (stored once, each new review
/// delivered once per matching route, reply events once); here: the connection went through the verification, the app
/// was polled at least hourly, every reply was published once and reads back from the fake Play as the team left it,
/// a user's edit after the reply marked it outdated, and every channel showed the store.
/// </summary>
internal sealed partial class MonthBooks
{
    /// <summary>The first poll after the activation runs at once (its fetch is queued by the activation); a review
    /// created before it is history of the first import.</summary>
    private static readonly TimeSpan PlayFirstPollMargin = TimeSpan.FromHours(1);

    /// <summary>An hourly slot, plus the 5-minute fetch timer's tick.</summary>
    private static readonly TimeSpan PlayPollCeiling = TimeSpan.FromMinutes(65);

    public int PlayReviews { get; private set; }
    public int PlayDeliveries { get; private set; }
    public int PlayReplies { get; private set; }
    public int PlayOutdatedReplies { get; private set; }
    public double PlayLongestPollGapMinutes { get; private set; }

    private string PlayFigures => $" play_reviews={PlayReviews} play_deliveries={PlayDeliveries} " +
        $"play_replies={PlayReplies} play_outdated_replies={PlayOutdatedReplies} " +
        $"play_longest_poll_gap_min={PlayLongestPollGapMinutes.ToString("F1", CultureInfo.InvariantCulture)}";

    private AppState Android => Scenario.PlayApp;

    private string Package => Scenario.Plan.AndroidApp.StoreAppId;

    private async Task CheckGooglePlayAsync()
    {
        PlayReviews = Scenario.Plan.Reviews.Count(r => Scenario.Plan.IsAndroid(r.App));
        CheckPlayConnection();
        CheckPlayPolling();
        await CheckPlayDeliveriesAsync();
        await CheckPlayRepliesAsync();
    }

    /// <summary>
    /// A review of the Android app is owed to its routes when it was created after the first poll: the poll the
    /// activation queues imports Play's 7-day window as history (summarised, not notified).
    /// </summary>
    private Owed PlayOwed(PlannedReview review)
    {
        if (Scenario.PlayVerifiedAt is not { } verified)
        {
            return Owed.Never;
        }
        if (review.CreatedAt < verified)
        {
            // History; its edit after the activation is handed on again like any edit, and may be announced.
            return review.EditedAt > verified ? Owed.Maybe : Owed.Never;
        }
        return review.CreatedAt < verified + PlayFirstPollMargin ? Owed.Maybe : Owed.Surely;
    }

    /// <summary>
    /// The reply events a version of a reply to an Android review goes through: Play has no moderation, the reply is
    /// published when it is read back, so there is no <c>sent</c> stage; a version the team replaced later was
    /// published first.
    /// </summary>
    private static string[] PlayReplyEvents(ReplyVersionEntity version) => version.Outcome switch
    {
        nameof(ReplyOutcome.Published) or nameof(ReplyOutcome.Replaced) => ["published"],
        nameof(ReplyOutcome.Failed) => ["failed"],
        _ => [],
    };

    private void CheckPlayConnection()
    {
        var connection = Scenario.Plan.PlayConnection;
        var propagated = Scenario.Plan.Start + connection.InvitedAt + connection.Propagation;
        var owner = Fakes.SendGrid.Emails.Where(e => e.To.Contains(Scenario.OwnerEmail)).ToList();
        var connected = owner.Count(e => e.Subject.Contains("connected to Google Play", StringComparison.Ordinal));
        var stopped = owner.Count(e => e.Subject.Contains("Google Play setup stopped", StringComparison.Ordinal)
            || e.Subject.Contains("Google Play connection stopped", StringComparison.Ordinal));
        var verified = Scenario.PlayVerifiedAt;
        Add("the Android app was connected to Google Play through the verification orchestration",
            Scenario.PlaySetupProblem is null && Scenario.PlayWorkListStatus == "awaitingServiceAccount"
                && verified >= propagated && connected == 1 && stopped == 0,
            $"{Scenario.PlaySetupProblem ?? "no problem"}; the operators' work list showed it " +
            $"{Scenario.PlayWorkListStatus ?? "not at all"}; invited on " +
            $"{Scenario.Plan.Start + connection.InvitedAt:MM-dd} with a grant propagating " +
            $"{connection.Propagation.TotalHours:F1} h (by {propagated:MM-dd HH:mm}); active " +
            $"{(verified is null ? "never" : $"{verified:MM-dd HH:mm}")}; owner told {connected} time(s) it is " +
            $"connected, {stopped} time(s) it stopped");
    }

    /// <summary>After the activation the app's reviews were read at least hourly (the fake's list requests).</summary>
    private void CheckPlayPolling()
    {
        if (Scenario.PlayVerifiedAt is not { } verified)
        {
            Add("the Android app was polled at least hourly", false, "never active");
            return;
        }
        var reads = Fakes.Play.Requests.Where(r => r.Method == "GET"
                && Uri.UnescapeDataString(r.Path).EndsWith($"/{Package}/reviews", StringComparison.Ordinal))
            .Select(r => r.At).Where(at => at >= verified).Order().ToList();
        var until = Scenario.Plan.End - TimeSpan.FromHours(1);
        var moments = reads.Prepend(verified).Append(until).Where(at => at <= until).Order().ToList();
        var gaps = moments.Zip(moments.Skip(1), (a, b) => (From: a, Gap: b - a)).ToList();
        var longest = gaps.MaxBy(g => g.Gap);
        PlayLongestPollGapMinutes = longest.Gap.TotalMinutes;
        Add("the Android app was polled at least hourly", longest.Gap <= PlayPollCeiling,
            $"{reads.Count} list reads after the activation, longest gap {PlayLongestPollGapMinutes:F1} min " +
            $"(from {longest.From:MM-dd HH:mm}); {Fakes.Play.TokenRequests} OAuth tokens");
    }

    /// <summary>Every delivery of an Android review shows the store: Slack and email bylines and Zendesk text say
    /// "Google Play", Zendesk tags <c>store_googleplay</c>, webhooks carry <c>store: googlePlay</c>.</summary>
    private async Task CheckPlayDeliveriesAsync()
    {
        var receipts = await ReceiptsAsync();
        PlayDeliveries = receipts.Counts.Count(c => c.Value > 0 && Android.Routes.Any(r => r.RouteId == c.Key.RouteId));
        string Target(string channel) => Android.Routes.Single(r => r.Plan.Channel == channel).Target;
        var slack = Fakes.Slack.Messages.Where(m => m.Channel == Target("slack")).ToList();
        var emails = Fakes.SendGrid.Emails.Where(e => e.To.Contains(Target("email"))
            && !ConfirmedEmails.IsConfirmation(e)).ToList();
        var tickets = Fakes.Zendesk.Tickets.Where(t => t.ExternalId?.Contains(Android.AppId,
            StringComparison.Ordinal) == true).ToList();
        var hooks = Fakes.Webhooks.Received.Where(w => w.Path == Target("webhook") && !IsReplyEvent(w)).ToList();
        const string Store = "Google Play";
        var unshown = slack.Count(m => !m.BlocksJson.Contains(Store, StringComparison.Ordinal))
            + emails.Count(e => e.PlainText?.Contains(Store, StringComparison.Ordinal) != true)
            + tickets.Count(t => !t.Tags.Contains("store_googleplay")
                || !t.Body.Contains(Store, StringComparison.Ordinal))
            + hooks.Count(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("data").GetProperty("store")
                .GetString() != "googlePlay");
        Add("every delivery of an Android review shows the store",
            unshown == 0 && slack.Count > 0 && emails.Count > 0 && tickets.Count > 0 && hooks.Count > 0,
            $"{PlayDeliveries} deliveries: {slack.Count} Slack messages, {emails.Count} emails, {tickets.Count} " +
            $"Zendesk tickets, {hooks.Count} webhooks; {unshown} without the store");
    }

    /// <summary>
    /// Each reply of the team to an Android review is published, the fake Play shows the body the team last wrote
    /// (at most 350 characters), each version reached Play once, and a user's edit after the reply marked it outdated
    /// (the review's <c>replyOutdated</c>, the reply's <c>outdatedAt</c>), and only then.
    /// </summary>
    private async Task CheckPlayRepliesAsync()
    {
        int published = 0, open = 0, wrongOutdated = 0, longest = 0;
        var examples = new List<string>();
        var posts = Fakes.Play.Requests.Where(r => r.Method == "POST")
            .Select(r => Uri.UnescapeDataString(r.Path)).Where(p => p.EndsWith(":reply", StringComparison.Ordinal))
            .ToList();
        foreach (var reply in Scenario.PlayReplies.Values)
        {
            var id = reply.Review.AscId;
            var path = $"/api/accounts/{Scenario.AccountId}/apps/{Android.AppId}/reviews/{Uri.EscapeDataString(id)}";
            var got = await Scenario.GetAsync($"{path}/reply");
            var review = await Scenario.GetAsync(path);
            var status = got.Status == 200 ? got.Json.GetProperty("status").GetString() : $"HTTP {got.Status}";
            var atPlay = Fakes.Play.Review(Package, id)?.Reply?.Text;
            var sent = posts.Count(p => p.EndsWith($"/reviews/{id}:reply", StringComparison.Ordinal));
            longest = Math.Max(longest, reply.LastBody?.EnumerateRunes().Count() ?? 0);
            if (status == "published" && atPlay == reply.LastBody && sent == reply.Versions)
            {
                published++;
            }
            else
            {
                open++;
                var shown = atPlay is null ? "none" : atPlay == reply.LastBody ? "its body" : "another body";
                examples.Add($"reply to {reply.Review.Title} is {status}, {sent} sends for {reply.Versions} " +
                    $"versions, Play shows {shown}");
            }
            var expected = reply.Review.EditedAt > reply.LastAt;
            var outdated = review.Status == 200 && review.Json.GetProperty("replyOutdated").GetBoolean();
            var outdatedAt = got.Status == 200 && got.Json.TryGetProperty("outdatedAt", out var at)
                && at.ValueKind == JsonValueKind.String;
            PlayOutdatedReplies += outdated && outdatedAt ? 1 : 0;
            if (outdated != expected || outdatedAt != expected)
            {
                wrongOutdated++;
                examples.Add($"reply to {reply.Review.Title} (last {reply.LastAt:MM-dd HH:mm}, review edited " +
                    $"{reply.Review.EditedAt:MM-dd HH:mm}): replyOutdated {outdated}, outdatedAt {outdatedAt}");
            }
        }
        PlayReplies = Scenario.PlayReplies.Count;
        Lost += open;
        var versions = Scenario.PlayReplies.Values.Sum(r => r.Versions);
        Add("every Android reply published once and read back from Google Play",
            open == 0 && PlayReplies > 0 && longest == MonthPlan.PlayReplyLimit,
            $"{PlayReplies} replies ({versions} versions, {posts.Count} sent to Play): {published} published as " +
            $"written, {open} not; longest {longest} characters. {Sample(examples)}");
        Add("a user's edit after the reply marks it outdated, and only then",
            wrongOutdated == 0 && PlayOutdatedReplies > 0,
            $"{PlayOutdatedReplies} outdated, {wrongOutdated} wrong. {Sample(examples)}");
    }
}
