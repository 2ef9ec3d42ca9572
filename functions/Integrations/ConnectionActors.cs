using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>Who must act next for a connection to move on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectionActor>))]
internal enum ConnectionActor
{
    /// <summary>Nothing waits on a person: ReviewHub is checking or retrying, or the connection works.</summary>
    Nobody,
    /// <summary>The customer (in App Store Connect, or in ReviewHub).</summary>
    Customer,
    /// <summary>ReviewHub's operators: accept an invitation, register a key. Their time does not count against the
    /// setup's deadline.</summary>
    Operators,
}

/// <summary>The actor and the next step of a connection, in words the SPA shows as they are.</summary>
internal sealed record NextAction(ConnectionActor Actor, string Step);

/// <summary>
/// Decides, from the row alone, who must act next and what exactly (which invitation, which roles, which apps, which
/// key). The status response shows it; <see cref="IntegrationStore"/> uses it on every write to keep
/// <see cref="IntegrationEntity.OperatorsWaitingSince"/> (the operators' work list and the deadline's pause).
/// </summary>
internal static class ConnectionActors
{
    public static NextAction For(IntegrationEntity row)
    {
        var email = row.IntegrationEmail;
        var roles = IntegrationRoles.Describe(IntegrationRoles.For(row.KindValue));
        return row.StatusValue switch
        {
            _ when row.IsDegraded => Degraded(row),
            IntegrationStatus.AwaitingOperator
                when row.LastObservationValue == AppStoreConnectObservation.NoInvitationReceived =>
                new(ConnectionActor.Customer,
                    $"ReviewHub's operators found no invitation of {email} from {row.Team}: invite it in App Store " +
                    $"Connect (Users and Access) with {roles} — send it again if it expired —, then confirm " +
                    "\"I've invited\" again. Your setup time runs until you do."),
            IntegrationStatus.AwaitingOperator when row.LastError is not null => new(ConnectionActor.Operators,
                $"ReviewHub's operators must act: {row.LastError} Nothing to do for you; your setup time does not " +
                "run while they act."),
            IntegrationStatus.AwaitingOperator => new(ConnectionActor.Operators,
                $"ReviewHub's operators must act: they accept your invitation of {email} and register its API key. " +
                "Nothing to do for you; your setup time does not run while they act."),
            IntegrationStatus.AwaitingOperator or IntegrationStatus.Verifying or IntegrationStatus.InvitationPending
                when row.ObservationWithCurrentKey == AppStoreConnectObservation.KeyRefused =>
                new(ConnectionActor.Operators,
                $"ReviewHub's operators must register a new API key for {email}: {row.LastError ?? "App Store " +
                "Connect refused the registered one."} Nothing to do for you; your setup time does not run while " +
                "they act."),
            IntegrationStatus.Verifying or IntegrationStatus.InvitationPending
                when row.ObservationWithCurrentKey == AppStoreConnectObservation.AgreementsMissing =>
                new(ConnectionActor.Customer,
                "Your Account Holder must accept Apple's latest agreements in App Store Connect (Business); " +
                "ReviewHub checks again on its own."),
            IntegrationStatus.InvitationPending
                when row.ObservationWithCurrentKey == AppStoreConnectObservation.NotInvited =>
                new(ConnectionActor.Customer,
                    $"Invite {email} in App Store Connect (Users and Access) with {roles}: App Store Connect shows " +
                    "no invitation for it. ReviewHub checks again on its own."),
            IntegrationStatus.InvitationPending
                when row.ObservationWithCurrentKey == AppStoreConnectObservation.InvitationExpired =>
                new(ConnectionActor.Customer,
                $"Your invitation of {email} expired before it was accepted: send it again in App Store Connect " +
                $"(Users and Access) with {roles}."),
            IntegrationStatus.InvitationPending => new(ConnectionActor.Operators,
                $"ReviewHub's operators must accept your invitation of {email}. Nothing to do for you; your setup " +
                "time does not run while they act."),
            IntegrationStatus.Verifying when row.LastError is not null => new(ConnectionActor.Nobody,
                $"Nothing to do: {row.LastError}"),
            IntegrationStatus.Verifying => new(ConnectionActor.Nobody, row.MethodValue == ConnectionMethod.TeamKey
                ? "Nothing to do: ReviewHub is checking what the team key can do."
                : $"Nothing to do: ReviewHub is checking the roles of {email}."),
            IntegrationStatus.RolesMissing => new(ConnectionActor.Customer,
                $"Add these roles to {email} in App Store Connect (Users and Access): " +
                $"{IntegrationEmails.RoleNames(row.MissingRoles)}; then tell ReviewHub you updated them."),
            IntegrationStatus.Activating when row.LastError is not null => new(ConnectionActor.Operators,
                $"Connected; finishing the setup is being retried: {row.LastError} ReviewHub's operators are " +
                "alerted; if this stays, confirm again."),
            IntegrationStatus.Activating => new(ConnectionActor.Nobody,
                "Connected: ReviewHub is switching your reviews to hourly syncing."),
            IntegrationStatus.Active when row.MethodValue == ConnectionMethod.TeamKey && row.ReplyPermission is null
                && row.AllowsReplies => new(ConnectionActor.Nobody,
                "Connected: reviews of the team's apps now sync every hour. Whether the key may reply cannot be " +
                "known before the first reply: the first reply you send finds it out (and is kept if refused)."),
            IntegrationStatus.Active when row.ReplyPermissionValue == ReplyPermission.Refused => new(
                ConnectionActor.Customer,
                "Connected: reviews sync every hour, but App Store Connect refused a reply with this key: upload a " +
                "team key with the Customer Support (or Admin) role, then send the reply again."),
            IntegrationStatus.Active => new(ConnectionActor.Nobody,
                "Connected: reviews of the team's apps now sync every hour."),
            IntegrationStatus.Failed => new(ConnectionActor.Customer,
                $"{row.FailureReason} Fix it in App Store Connect, then confirm again to retry."),
            IntegrationStatus.Disconnected => new(ConnectionActor.Customer,
                "Disconnected: reviews come from the public App Store feed. Confirm again to reconnect."),
            _ => new(ConnectionActor.Customer, "Setup cancelled. Confirm again whenever you are ready."),
        };
    }

    /// <summary>Whether the connection waits on ReviewHub's operators.</summary>
    public static bool WaitsOnOperators(IntegrationEntity row) => For(row).Actor == ConnectionActor.Operators;

    /// <summary>
    /// Keeps <see cref="IntegrationEntity.OperatorsWaitingSince"/> after a write: set when a wait on operators begins;
    /// when it ends during a setup, the deadline moves on by the working time it lasted.
    /// </summary>
    public static void TrackOperatorWait(IntegrationEntity row, DateTimeOffset now, WorkingDayCalendar calendar)
    {
        if (WaitsOnOperators(row))
        {
            row.OperatorsWaitingSince ??= now;
            return;
        }
        if (row.OperatorsWaitingSince is { } since)
        {
            if (row.IsInProgress && now > since)
            {
                row.Deadline = calendar.AddWorkingTime(row.Deadline, calendar.WorkingTimeBetween(since, now));
            }
            row.OperatorsWaitingSince = null;
        }
    }

    private static NextAction Degraded(IntegrationEntity row)
    {
        var actor = row.DegradedCauseValue switch
        {
            // A refusal before the check named the cause: the queued check decides at once.
            ConnectionProblem.KeyForbidden => ConnectionActor.Nobody,
            ConnectionProblem.KeyRevoked when row.MethodValue == ConnectionMethod.Invitation =>
                ConnectionActor.Operators,
            _ => ConnectionActor.Customer,
        };
        var step = row.DegradedCauseValue == ConnectionProblem.KeyRevoked
            && row.MethodValue == ConnectionMethod.TeamKey
            ? $"{row.DegradedReason} Upload a new team key for {row.Team}."
            : row.DegradedReason;
        return new(actor, $"{step} Until then reviews do not sync and replies wait; once fixed, ReviewHub fetches " +
            "what it missed and sends the waiting replies.");
    }
}
