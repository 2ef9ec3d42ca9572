using System.Globalization;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// Sizes and fault rates of a simulated month. The defaults are the CI run (a few hundred reviews); the benchmark
/// command takes the same options (<c>--days --seed --history --reviews-per-day --parallelism --duplicates
/// --redeliveries</c>).
/// </summary>
internal sealed record MonthOptions
{
    public int Days { get; init; } = 30;
    public int Seed { get; init; } = 1130;

    /// <summary>
    /// Reviews each app already has when it is registered (its first import: summarised, not notified).
    /// </summary>
    public int HistoryPerApp { get; init; } = 30;

    /// <summary>New reviews per app per day, arriving at random moments.</summary>
    public double ReviewsPerAppPerDay { get; init; } = 4;

    /// <summary>Share of new reviews the customer edits later.</summary>
    public double EditShare { get; init; } = 0.15;

    /// <summary>
    /// Share of new reviews of integrated apps the team replies to; of those, some replies are edited or deleted.
    /// </summary>
    public double ReplyShare { get; init; } = 0.35;
    public double ReplyEditShare { get; init; } = 0.2;
    public double ReplyDeleteShare { get; init; } = 0.05;

    public double DuplicateRate { get; init; } = 0.05;
    public double RedeliveryRate { get; init; } = 0.03;

    /// <summary>Messages processed at once (the host runs a batch of queue messages in parallel).</summary>
    public int Parallelism { get; init; } = 4;

    public static MonthOptions Parse(string[] args)
    {
        string? Value(string name) =>
            Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        double Number(string name, double fallback) =>
            Value(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
        var defaults = new MonthOptions();
        return new MonthOptions
        {
            Days = (int)Number("--days", defaults.Days),
            Seed = (int)Number("--seed", defaults.Seed),
            HistoryPerApp = (int)Number("--history", defaults.HistoryPerApp),
            ReviewsPerAppPerDay = Number("--reviews-per-day", defaults.ReviewsPerAppPerDay),
            Parallelism = (int)Number("--parallelism", defaults.Parallelism),
            DuplicateRate = Number("--duplicates", defaults.DuplicateRate),
            RedeliveryRate = Number("--redeliveries", defaults.RedeliveryRate),
        };
    }
}

/// <summary>A notification route the customer creates: channel and filters (null = all).</summary>
internal sealed record RoutePlan(
    string Channel, IReadOnlyList<int>? Ratings = null, IReadOnlyList<string>? Territories = null)
{
    public bool Matches(int rating, string territory) =>
        (Ratings is null || Ratings.Contains(rating)) && (Territories is null || Territories.Contains(territory));
}

/// <summary>
/// When and how an app is connected to App Store Connect: the customer confirms at 09:00 on <see cref="Day"/>, having
/// invited the account's integration user with <see cref="InvitedRoles"/> (null: the user is already in the team from
/// an earlier app); operators accept the invitation and register a key for this app at 11:00; when the roles are not
/// enough the customer grants <see cref="FixedRoles"/> at 15:00 and says so.
/// </summary>
internal sealed record IntegrationPlan(
    int Day, string Kind, IReadOnlyList<string>? InvitedRoles, IReadOnlyList<string>? FixedRoles = null)
{
    /// <summary>
    /// By then the integration is active (replies are only written to reviews that arrived after it).
    /// </summary>
    public TimeSpan ActiveBy => TimeSpan.FromDays(Day) + TimeSpan.FromHours(FixedRoles is null ? 12 : 16);
}

internal sealed partial record AppPlan(
    string Key, string Name, string Platform, string StoreAppId, IReadOnlyList<string> Territories,
    IReadOnlyList<RoutePlan> Routes, IntegrationPlan? Integration = null, int? RevokeKeyOnDay = null,
    int? RemoveOnDay = null);

/// <summary>
/// One customer review as Apple holds it: the same review under its public-feed id and its App Store Connect id (they
/// differ; Apple publishes no mapping). An edit changes its text; the feed then shows it with a new <c>updated</c>
/// date. A review of the Android app has only its Google Play id (<paramref name="apiId"/>).
/// </summary>
internal sealed class PlannedReview(
    AppPlan app, int number, string territory, int rating, DateTimeOffset createdAt, bool history, TimeSpan? editAfter,
    string? apiId = null)
{
    public AppPlan App { get; } = app;
    public string FeedId { get; } = (4_000_000_000L + number).ToString(CultureInfo.InvariantCulture);

    /// <summary>The id in the store's API: App Store Connect's, or Google Play's <c>reviewId</c>.</summary>
    public string AscId { get; } = apiId ?? $"00000{number:D3}-{app.StoreAppId[..4]}-4a1e-9c2b-{number:D12}";
    public string Territory { get; } = territory;
    public int Rating { get; } = rating;
    public string Title { get; } = $"Review {number}";
    public string Body { get; } = $"Body of review {number} of {app.Name}.";
    public string Nickname { get; } = $"reviewer{number}";
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public bool History { get; } = history;
    public DateTimeOffset? EditedAt { get; } = editAfter is { } after ? createdAt + after : null;
    public string EditedBody => $"{Body} Edited: it works now.";

    public bool Is(string id) => id == FeedId || id == AscId;
}

/// <summary>A reply the team writes (or edits, or deletes) at a moment of the month.</summary>
internal sealed record PlannedReplyAction(PlannedReview Review, DateTimeOffset At, string? Body);

/// <summary>
/// The whole month, drawn from a seeded <see cref="Random"/>: the apps, every review and every reply action.
/// </summary>
internal sealed partial class MonthPlan
{
    /// <summary>
    /// No review or reply starts in the last hours, so that everything in flight settles before the books are read: a
    /// feed app is fetched every 6 hours and Apple moderates a reply for up to 12.
    /// </summary>
    public static readonly TimeSpan QuietTail = TimeSpan.FromHours(13);

    private static readonly TimeSpan ApiFetchMargin = TimeSpan.FromMinutes(65);

    public MonthPlan(MonthOptions options, DateTimeOffset start)
    {
        Options = options;
        Start = start;
        End = start.AddDays(options.Days);
        var random = new Random(options.Seed);
        Apps =
        [
            new AppPlan("notes", "Acme Notes", "ios", "1100000001", ["USA", "GBR"],
                [new RoutePlan("slack"), new RoutePlan("email", Ratings: [1, 2])]),
            new AppPlan("tasks", "Acme Tasks", "ios", "1100000002", ["USA"],
                [new RoutePlan("webhook"), new RoutePlan("zendesk", Ratings: [1, 2, 3])]),
            new AppPlan("camera", "Acme Camera", "ios", "1100000003", ["USA", "DEU"],
                [new RoutePlan("slack"), new RoutePlan("zendesk", Ratings: [1, 2])],
                new IntegrationPlan(2, "fullAccess", InvitedRoles: ["CUSTOMER_SUPPORT"],
                    FixedRoles: ["CUSTOMER_SUPPORT", "MARKETING", "FINANCE"]),
                RevokeKeyOnDay: Math.Min(20, options.Days - 3)),
            new AppPlan("desk", "Acme Desk for Mac", "macos", "1100000004", ["USA"],
                [new RoutePlan("email"), new RoutePlan("webhook", Ratings: [4, 5], Territories: ["USA"])],
                new IntegrationPlan(5, "replyToReviews", InvitedRoles: null)),
            new AppPlan("budget", "Acme Budget", "ios", "1100000005", ["USA", "GBR"],
                [new RoutePlan("slack"), new RoutePlan("email"), new RoutePlan("zendesk"), new RoutePlan("webhook")],
                new IntegrationPlan(9, "fullAccess", InvitedRoles: null), RemoveOnDay: Math.Min(25, options.Days - 2)),
            .. ConnectionApps(options),
        ];

        var number = 0;
        foreach (var app in Apps.Where(a => a.Connection is null))
        {
            DrawReviewsOf(app);
        }
        Reviews.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        foreach (var review in Reviews.Where(r => !r.History && r.App.Integration is not null))
        {
            if (random.NextDouble() < options.ReplyShare)
            {
                PlanReplies(review);
            }
        }
        ReplyActions.Sort((a, b) => a.At.CompareTo(b.At));
        // The team connections' apps (MonthPlan.Connections.cs) draw after everything above, which stays as it was.
        foreach (var app in Apps.Where(a => a.Connection is not null))
        {
            DrawReviewsOf(app);
        }
        Reviews.AddRange(ConnectionMoments(() => ++number));
        Reviews.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        PlanGooglePlay(options);

        void DrawReviewsOf(AppPlan app)
        {
            for (var i = 0; i < HistoryOf(app); i++)
            {
                var createdAt = start - TimeSpan.FromDays(60) * random.NextDouble() - TimeSpan.FromHours(1);
                Reviews.Add(Draw(app, ++number, createdAt, history: true));
            }
            var arrivals = (int)Math.Round(ReviewsPerDayOf(app) * options.Days);
            var window = End - QuietTail - start;
            for (var i = 0; i < arrivals; i++)
            {
                Reviews.Add(Draw(app, ++number, start + window * random.NextDouble(), history: false));
            }
            if (app.Integration is { } integration && integration.Day < options.Days)
            {
                // One review arrives while the operators are about to register the key: after the app's last feed
                // fetch (most likely), before the integration is active.
                var arriving = start.AddDays(integration.Day).AddHours(10).AddMinutes(40 + 10 * random.NextDouble());
                Reviews.Add(Draw(app, ++number, arriving, history: false));
            }
        }

        PlannedReview Draw(AppPlan app, int n, DateTimeOffset createdAt, bool history)
        {
            var territory = app.Territories[random.Next(app.Territories.Count)];
            var rating = Rating(random.NextDouble());
            createdAt = ArrivalTime(createdAt);
            var edit = !history && random.NextDouble() < options.EditShare
                ? TimeSpan.FromHours(1 + 47 * random.NextDouble())
                : (TimeSpan?)null;
            var editAfter = edit is { } e && createdAt + e < End - QuietTail ? e : (TimeSpan?)null;
            return new PlannedReview(app, n, territory, rating, createdAt, history, editAfter);
        }

        void PlanReplies(PlannedReview review)
        {
            var integration = review.App.Integration!;
            if (review.CreatedAt < start + integration.ActiveBy || !CanBeFetched(review))
            {
                return;
            }
            var at = Legal(review, review.CreatedAt + TimeSpan.FromHours(1.5 + 18.5 * random.NextDouble()));
            if (at is null)
            {
                return;
            }
            var body = $"Thanks for reviewing {review.App.Name}! ({review.Title})";
            ReplyActions.Add(new PlannedReplyAction(review, at.Value, body));
            var draw = random.NextDouble();
            var editAt = at.Value + TimeSpan.FromMinutes(5 + 475 * random.NextDouble());
            if (draw < options.ReplyEditShare && Legal(review, editAt) is { } edit)
            {
                ReplyActions.Add(new PlannedReplyAction(review, edit, $"Thanks again, we fixed it. ({review.Title})"));
            }
            else if (draw > 1 - options.ReplyDeleteShare
                && Legal(review, at.Value + TimeSpan.FromHours(13 + 17 * random.NextDouble())) is { } delete)
            {
                ReplyActions.Add(new PlannedReplyAction(review, delete, null));
            }
        }

        // Replies stop before the quiet tail. None is in flight when a key is revoked: a reply pending Apple's
        // moderation at that moment could never be followed again (nothing notices a revoked key yet), so those wait
        // until after it.
        DateTimeOffset? Legal(PlannedReview review, DateTimeOffset at)
        {
            if (RevokedAt(review.App) is { } revoked && at > revoked - QuietTail && at < revoked)
            {
                at = revoked + TimeSpan.FromHours(1 + 2 * random.NextDouble());
            }
            return at < End - QuietTail ? at : null;
        }
    }

    /// <summary>Ratings as stores see them: mostly five stars, one in seven a single star.</summary>
    private static int Rating(double draw) =>
        draw switch { < 0.15 => 1, < 0.25 => 2, < 0.35 => 3, < 0.55 => 4, _ => 5 };

    /// <summary>Whole seconds (the feed and the APIs have no finer dates), never on a timer's 5-minute boundary.
    /// </summary>
    private static DateTimeOffset ArrivalTime(DateTimeOffset at)
    {
        var seconds = at.UtcTicks / TimeSpan.TicksPerSecond;
        var whole = new DateTimeOffset(seconds * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return whole.Second == 0 ? whole.AddSeconds(7) : whole;
    }

    public MonthOptions Options { get; }
    public DateTimeOffset Start { get; }
    public DateTimeOffset End { get; }
    public IReadOnlyList<AppPlan> Apps { get; }
    public List<PlannedReview> Reviews { get; } = [];
    public List<PlannedReplyAction> ReplyActions { get; } = [];

    public DateTimeOffset? RevokedAt(AppPlan app) =>
        app.RevokeKeyOnDay is { } day ? Start.AddDays(day).AddHours(12) : null;

    /// <summary>
    /// The moment the app is removed is decided at run time (it races the app's hourly fetch); null before then.
    /// </summary>
    public DateTimeOffset? RemovalNotBefore(AppPlan app) =>
        app.RemoveOnDay is { } day ? Start.AddDays(day).AddHours(10) : null;

    /// <summary>
    /// False for reviews the app can no longer see: created after its key was revoked (or within the hourly fetch
    /// before).
    /// </summary>
    public bool CanBeFetched(PlannedReview review) =>
        RevokedAt(review.App) is not { } revoked || review.CreatedAt < revoked - ApiFetchMargin;
}
