using ReviewHub.Integrations;

namespace ReviewHub.GooglePlay;

/// <summary>
/// Who acts next on an account's Google Play connection, and what exactly, from the row alone: the same
/// <see cref="NextAction"/> (customer / operators / nobody) as App Store Connect connections show.
/// </summary>
internal static class PlayConnectionActors
{
    /// <summary>The Play Console permissions ReviewHub needs, as Play Console names them (google-play-api.md §4).
    /// </summary>
    public const string Permissions = "\"View app information (read-only)\" and \"Reply to reviews\"";

    public static NextAction For(PlayConnectionEntity row)
    {
        var email = row.ServiceAccountEmail;
        return row.StatusValue switch
        {
            PlayConnectionStatus.AwaitingServiceAccount => new(ConnectionActor.Operators,
                "ReviewHub's operators are creating your account's Google service account; its email appears here " +
                "when it is ready. Nothing to do for you yet."),
            PlayConnectionStatus.AwaitingInvitation => new(ConnectionActor.Customer,
                $"In Play Console → Users and permissions, invite {email} with {Permissions} (for your apps, or for " +
                "the whole developer account), then tell ReviewHub you invited it."),
            PlayConnectionStatus.Verifying when row.ObservationOnOperators => new(ConnectionActor.Operators,
                $"ReviewHub's operators must act: {row.LastObservation} Nothing to do for you; your setup time does " +
                "not run while they act."),
            PlayConnectionStatus.Verifying => new(ConnectionActor.Nobody,
                $"Nothing to do if you invited {email} with {Permissions}: Google takes up to 48 hours to pass a new " +
                $"grant on, and ReviewHub checks on its own until {row.Deadline:yyyy-MM-dd HH:mm} UTC." +
                (row.LastObservation is { } seen ? $" Last check: {seen}" : string.Empty)),
            PlayConnectionStatus.Active => new(ConnectionActor.Nobody,
                "Connected: Google Play reviews sync every hour and replies are sent."),
            PlayConnectionStatus.Failed => new(ConnectionActor.Customer,
                $"{row.FailureReason} Invite {email} in Play Console with {Permissions}, then tell ReviewHub again."),
            PlayConnectionStatus.Degraded => new(
                row.DegradedCauseValue == PlayConnectionProblem.AccessRemoved
                    ? ConnectionActor.Customer
                    : ConnectionActor.Operators,
                $"{row.DegradedReason} Until then Google Play reviews do not sync and replies cannot be sent; once " +
                "fixed, ReviewHub fetches what it missed."),
            _ => new(ConnectionActor.Customer,
                "Disconnected: ReviewHub deleted its key and reads nothing from Google Play. To connect again, ask " +
                "ReviewHub for a new service account; you may remove the old one from Play Console."),
        };
    }

    /// <summary>
    /// Keeps <see cref="PlayConnectionEntity.OperatorsWaitingSince"/> after a write: set when a wait on operators
    /// begins; when it ends during a verification, the customer's deadline moves on by the working time it lasted
    /// (the business calendar App Store Connect connections use).
    /// </summary>
    public static void TrackOperatorWait(PlayConnectionEntity row, DateTimeOffset now, WorkingDayCalendar calendar)
    {
        if (For(row).Actor == ConnectionActor.Operators)
        {
            row.OperatorsWaitingSince ??= now;
            return;
        }
        if (row.OperatorsWaitingSince is { } since)
        {
            if (row.StatusValue == PlayConnectionStatus.Verifying && row.Deadline is { } deadline && now > since)
            {
                row.Deadline = calendar.AddWorkingTime(deadline, calendar.WorkingTimeBetween(since, now));
            }
            row.OperatorsWaitingSince = null;
        }
    }
}
