namespace ReviewHub.Tests.Simulation;

/// <summary>
/// When the Android app is connected to Google Play (issue 15): operators provision the account's service account at
/// 09:00 on <see cref="Day"/>; the customer invites it in Play Console and says "I've invited" at 10:00; Google passes
/// the grant on after <see cref="Propagation"/>, and the verification (its own Durable polls) makes the connection
/// Active.
/// </summary>
internal sealed record PlayConnectionPlan(int Day, TimeSpan Propagation)
{
    public TimeSpan ProvisionAt => TimeSpan.FromDays(Day) + TimeSpan.FromHours(9);
    public TimeSpan InvitedAt => TimeSpan.FromDays(Day) + TimeSpan.FromHours(10);

    /// <summary>By then the grant has propagated and a verification poll has seen it.</summary>
    public TimeSpan ActiveBy => InvitedAt + Propagation + TimeSpan.FromMinutes(30);
}

/// <summary>A reply of the team to an Android review, or its edit (Play keeps one reply; it has no delete).</summary>
internal sealed record PlannedPlayReply(PlannedReview Review, DateTimeOffset At, string Body);

/// <summary>
/// The month's Android app: registered by package name with its routes on day 0, reviews in Google Play (a history of
/// the last days, new ones at random moments, some edited later), the team's replies after the connection is active
/// (one exactly at Play's 350-character limit, some edited), and users editing a few reviews after the reply (the reply
/// becomes outdated). Drawn from its own seeded <see cref="Random"/>, so the App Store apps' month stays as it was.
/// </summary>
internal sealed partial class MonthPlan
{
    public const string AndroidPackage = "com.acme.sim.notes";

    /// <summary>Play's limit for a reply (code points).</summary>
    public const int PlayReplyLimit = 350;

    /// <summary>Reviews of the Android app the users edit after the team replied: their replies become outdated.
    /// </summary>
    private const int EditsAfterReply = 2;

    /// <summary>Play lists 7 days: the history is drawn within the days before the month, so the first poll sees it.
    /// </summary>
    private static readonly TimeSpan PlayHistorySpan = TimeSpan.FromDays(4);

    /// <summary>The hourly poll reads a review within this much after it arrived (slot plus timer tick).</summary>
    private static readonly TimeSpan PlayFetchMargin = TimeSpan.FromMinutes(65);

    public AppPlan AndroidApp { get; private set; } = null!;
    public PlayConnectionPlan PlayConnection { get; private set; } = null!;
    public List<PlannedPlayReply> PlayReplies { get; } = [];

    public bool IsAndroid(AppPlan app) => app == AndroidApp;

    private void PlanGooglePlay(MonthOptions options)
    {
        var random = new Random(options.Seed + 15);
        AndroidApp = new AppPlan("android", "Acme Notes for Android", "android", AndroidPackage, [],
            [
                new RoutePlan("slack"), new RoutePlan("email", Ratings: [1, 2]), new RoutePlan("zendesk"),
                new RoutePlan("webhook", Ratings: [4, 5]),
            ]);
        PlayConnection = new PlayConnectionPlan(Math.Min(1, options.Days - 1),
            TimeSpan.FromHours(4 + 4 * random.NextDouble()));
        var activeBy = Start + PlayConnection.ActiveBy;
        var quietFrom = End - QuietTail;
        var number = 100_000;
        var arrivals = new List<(DateTimeOffset At, bool History)>();
        for (var i = 0; i < options.HistoryPerApp; i++)
        {
            arrivals.Add((Start - TimeSpan.FromHours(1) - PlayHistorySpan * random.NextDouble(), true));
        }
        var count = (int)Math.Round(options.ReviewsPerAppPerDay * options.Days);
        for (var i = 0; i < count; i++)
        {
            arrivals.Add((Start + (quietFrom - Start) * random.NextDouble(), false));
        }
        var editedAfterReply = 0;
        foreach (var (at, history) in arrivals.OrderBy(a => a.At))
        {
            var createdAt = ArrivalTime(at);
            var rating = Rating(random.NextDouble());
            var replies = history || createdAt < activeBy + PlayFetchMargin || random.NextDouble() >= options.ReplyShare
                ? []
                : PlanPlayReplies(createdAt, random);
            TimeSpan? edit = null;
            if (replies.Count > 0 && editedAfterReply < EditsAfterReply)
            {
                edit = replies[^1].At - createdAt + TimeSpan.FromHours(2 + 4 * random.NextDouble());
                editedAfterReply++;
            }
            else if (!history && random.NextDouble() < options.EditShare)
            {
                edit = TimeSpan.FromHours(1 + 47 * random.NextDouble());
            }
            var editAfter = edit is { } e && createdAt + e < quietFrom ? e : (TimeSpan?)null;
            var review = new PlannedReview(AndroidApp, ++number, string.Empty, rating, createdAt, history, editAfter,
                apiId: $"gp:AOqpTOsim{number:D7}");
            Reviews.Add(review);
            PlayReplies.AddRange(replies.Select(r => new PlannedPlayReply(review, r.At,
                r.Body.Replace("{title}", review.Title, StringComparison.Ordinal))));
        }
        Reviews.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        PlayReplies.Sort((a, b) => a.At.CompareTo(b.At));
        if (PlayReplies.Count > 0)
        {
            // One reply uses Play's limit to the character.
            var first = PlayReplies[0];
            PlayReplies[0] = first with { Body = first.Body.PadRight(PlayReplyLimit, '.') };
        }
    }

    /// <summary>The team replies 1.5 to 20 hours after the review; some replies are edited minutes to hours later.
    /// </summary>
    private List<(DateTimeOffset At, string Body)> PlanPlayReplies(DateTimeOffset createdAt, Random random)
    {
        var replies = new List<(DateTimeOffset At, string Body)>();
        var at = createdAt + TimeSpan.FromHours(1.5 + 18.5 * random.NextDouble());
        if (at >= End - QuietTail)
        {
            return replies;
        }
        replies.Add((at, $"Thanks for reviewing {AndroidApp.Name} on Google Play! ({{title}})"));
        var editAt = at + TimeSpan.FromMinutes(5 + 475 * random.NextDouble());
        if (random.NextDouble() < Options.ReplyEditShare && editAt < End - QuietTail)
        {
            replies.Add((editAt, "Thanks again: the fix is in version 3.3. ({title})"));
        }
        return replies;
    }
}
