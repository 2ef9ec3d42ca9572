namespace ReviewHub.Tests.Simulation;

/// <summary>What happens to a team connection during the month (issue 13), beyond being set up.</summary>
internal enum ConnectionStory
{
    /// <summary>
    /// Invitation; three apps, one of which the customer registers through the connection's offer; mid-month the
    /// integration user is removed from the team, the daily check degrades the connection, a reply waits, the customer
    /// adds the user back and says "I fixed it".
    /// </summary>
    MultiAppDegradedAndFixed,

    /// <summary>A team key upload (no operators); the first reply finds out the reply permission; later the owner
    /// disconnects (a member is refused first).</summary>
    TeamKeyThenDisconnected,

    /// <summary>Invitation; operators act only after the customer's deadline (the operators' lateness).</summary>
    OperatorsLate,

    /// <summary>The customer says "I've invited" without inviting; operators report no invitation; the customer
    /// invites and confirms again.</summary>
    NoInvitationAtFirst,
}

/// <summary>
/// One App Store Connect team connected once for all of its apps (issue 13): its name (the fake keeps its own Users
/// and Access for it), the kind, the day its story starts and the story.
/// </summary>
internal sealed record ConnectionPlan(string Team, string Kind, int Day, ConnectionStory Story)
{
    /// <summary>The roles the customer invites the integration user with (those the kind needs).</summary>
    public IReadOnlyList<string> Roles => Kind == "fullAccess"
        ? ["CUSTOMER_SUPPORT", "MARKETING", "FINANCE"]
        : ["CUSTOMER_SUPPORT"];
}

internal sealed partial record AppPlan
{
    /// <summary>The team connection serving this app (null: the per-team integrations above, or the feed).</summary>
    public ConnectionPlan? Connection { get; init; }

    /// <summary>Not registered on day 0: the customer registers it through its connection's offer.</summary>
    public bool RegisteredByOffer { get; init; }

    /// <summary>Apple holds its reviews in the API too (an app of a connected team).</summary>
    public bool OnAppStoreConnect => Integration is not null || Connection is not null;
}

/// <summary>
/// The month's team connections (issue 13): four teams on days 3 to 22 — a multi-app team that degrades and is fixed,
/// a team key that is later disconnected, operators late, an invitation forgotten (the last two without apps: their
/// stories are the operators', and every connected app costs 24 API fetches a day). The apps are quieter than the
/// others (a quarter of the reviews, a sixth of the history) so the month grows little; the moments the stories need
/// (a review to reply to while degraded, one in the gap, one after the disconnect) are planned exactly.
/// </summary>
internal sealed partial class MonthPlan
{
    /// <summary>The last day a story acts on; shorter months have no team connections.</summary>
    private const int LastStoryDay = 23;

    public static readonly ConnectionPlan Studio =
        new("Acme Studio", "fullAccess", 3, ConnectionStory.MultiAppDegradedAndFixed);

    public static readonly ConnectionPlan Games =
        new("Acme Games", "replyToReviews", 4, ConnectionStory.TeamKeyThenDisconnected);

    public static readonly ConnectionPlan Labs = new("Acme Labs", "replyToReviews", 7, ConnectionStory.OperatorsLate);

    public static readonly ConnectionPlan Health =
        new("Acme Health", "replyToReviews", 7, ConnectionStory.NoInvitationAtFirst);

    /// <summary>Studio's integration user is removed at noon on this day; the next daily check finds it.</summary>
    public const int UserRemovedOnDay = 16;

    /// <summary>The owner disconnects Games at 10:00 on this day.</summary>
    public const int DisconnectOnDay = 22;

    /// <summary>The team connections of this month (none in months shorter than the stories).</summary>
    public IReadOnlyList<ConnectionPlan> Connections =>
        Options.Days <= LastStoryDay + 2 ? [] : [Studio, Games, Labs, Health];

    public IEnumerable<AppPlan> AppsOf(ConnectionPlan connection) => Apps.Where(a => a.Connection == connection);

    /// <summary>The review the team answers while Studio is degraded (arrived the evening before).</summary>
    public PlannedReview? HeldReplyReview { get; private set; }

    /// <summary>A review of Studio that arrives while it is degraded: fetched from the watermark once fixed.</summary>
    public PlannedReview? GapReview { get; private set; }

    /// <summary>The first review Games replies to (after its team key is active): finds out the reply
    /// permission.</summary>
    public PlannedReview? FirstTeamKeyReplyReview { get; private set; }

    /// <summary>A review of Games after its disconnect: arrives through the public feed.</summary>
    public PlannedReview? AfterDisconnectReview { get; private set; }

    private static IEnumerable<AppPlan> ConnectionApps(MonthOptions options)
    {
        if (options.Days <= LastStoryDay + 2)
        {
            return [];
        }
        RoutePlan[] webhook = [new RoutePlan("webhook")];
        return
        [
            new AppPlan("studio-photo", "Acme Studio Photo", "ios", "1100000011", ["USA"], webhook)
                { Connection = Studio },
            new AppPlan("studio-video", "Acme Studio Video", "ios", "1100000012", ["USA", "GBR"], webhook)
                { Connection = Studio },
            new AppPlan("studio-audio", "Acme Studio Audio for Mac", "macos", "1100000013", ["USA"], [])
                { Connection = Studio, RegisteredByOffer = true },
            new AppPlan("games-chess", "Acme Chess", "ios", "1100000014", ["USA"], webhook) { Connection = Games },
        ];
    }

    private int HistoryOf(AppPlan app) => app.Connection is null ? Options.HistoryPerApp : Options.HistoryPerApp / 6;

    private double ReviewsPerDayOf(AppPlan app) =>
        app.Connection is null ? Options.ReviewsPerAppPerDay : Options.ReviewsPerAppPerDay / 4;

    /// <summary>The reviews the stories act on, at exact moments (four stars, first territory, never edited).</summary>
    private IEnumerable<PlannedReview> ConnectionMoments(Func<int> next)
    {
        if (!Connections.Any())
        {
            yield break;
        }
        PlannedReview At(string appKey, int day, double hours, int minute) => new(
            Apps.Single(a => a.Key == appKey), next(), "USA", 4,
            Start.AddDays(day).AddHours(hours).AddMinutes(minute).AddSeconds(17), history: false, editAfter: null);
        yield return HeldReplyReview = At("studio-photo", UserRemovedOnDay, 20, 10);
        yield return GapReview = At("studio-video", UserRemovedOnDay + 1, 7, 20);
        yield return FirstTeamKeyReplyReview = At("games-chess", Games.Day, 18, 5);
        yield return AfterDisconnectReview = At("games-chess", DisconnectOnDay + 1, 10, 40);
    }
}
