using ReviewHub.Integrations;

namespace ReviewHub.Tests.Integrations;

/// <summary>Every state names its actor and the specifics of the next step (the status endpoint's two lines).</summary>
public sealed class ConnectionActorsTableTests
{
    private static IntegrationEntity Row(IntegrationStatus status, Action<IntegrationEntity>? with = null)
    {
        var row = new IntegrationEntity
        {
            PartitionKey = "account", RowKey = "connection", Team = "Acme", Status = status.ToString(),
            Kind = nameof(IntegrationKind.ReplyToReviews), IntegrationEmail = "asc-account@integrations.test",
        };
        with?.Invoke(row);
        return row;
    }

    /// <summary>The cases by name: theory arguments must be public types, and rows and actors are the
    /// feature's own.</summary>
    private static readonly Dictionary<string, (IntegrationEntity Row, ConnectionActor Actor, string Step)> StateCases =
        new()
        {
            ["no key yet"] = (Row(IntegrationStatus.AwaitingOperator), ConnectionActor.Operators,
                "accept your invitation"),
            ["key missing from the vault"] = (Row(IntegrationStatus.AwaitingOperator, r => r.LastError = "Key gone."),
                ConnectionActor.Operators, "Key gone."),
            ["key refused"] = (Row(IntegrationStatus.Verifying, r =>
                {
                    r.LastObservation = nameof(AppStoreConnectObservation.KeyRefused);
                    r.LastError = "401.";
                }), ConnectionActor.Operators, "register a new API key"),
            ["invitation to accept"] = (Row(IntegrationStatus.InvitationPending, r =>
                r.LastObservation = nameof(AppStoreConnectObservation.InvitationPending)), ConnectionActor.Operators,
                "must accept your invitation"),
            ["invitation missing"] = (Row(IntegrationStatus.InvitationPending, r =>
                r.LastObservation = nameof(AppStoreConnectObservation.NotInvited)), ConnectionActor.Customer,
                "Invite asc-account@integrations.test"),
            ["invitation expired"] = (Row(IntegrationStatus.InvitationPending, r =>
                r.LastObservation = nameof(AppStoreConnectObservation.InvitationExpired)),
                ConnectionActor.Customer, "send it again"),
            ["agreements"] = (Row(IntegrationStatus.Verifying, r =>
                r.LastObservation = nameof(AppStoreConnectObservation.AgreementsMissing)),
                ConnectionActor.Customer, "agreements"),
            ["roles missing"] = (Row(IntegrationStatus.RolesMissing, r => r.MissingRoles = "CUSTOMER_SUPPORT"),
                ConnectionActor.Customer, "Customer Support"),
            ["verifying"] = (Row(IntegrationStatus.Verifying), ConnectionActor.Nobody, "checking the roles"),
            ["App Store Connect down"] = (Row(IntegrationStatus.Verifying, r => r.LastError = "Not answering."),
                ConnectionActor.Nobody, "Not answering."),
            ["activation retried"] = (Row(IntegrationStatus.Activating, r => r.LastError = "Step failed."),
                ConnectionActor.Operators, "Step failed."),
            ["active"] = (Row(IntegrationStatus.Active, r => r.ActiveKind = r.Kind), ConnectionActor.Nobody,
                "every hour"),
            ["app access removed"] = (Row(IntegrationStatus.Degraded, r =>
                {
                    r.ActiveKind = r.Kind;
                    r.DegradedCause = nameof(ConnectionProblem.AppAccessRemoved);
                    r.DegradedReason = "No access to Acme Pro.";
                }), ConnectionActor.Customer, "No access to Acme Pro."),
            ["key revoked (invitation)"] = (Row(IntegrationStatus.Degraded, r =>
                {
                    r.ActiveKind = r.Kind;
                    r.DegradedCause = nameof(ConnectionProblem.KeyRevoked);
                    r.DegradedReason = "Revoked.";
                }), ConnectionActor.Operators, "Revoked."),
            ["key revoked (team key)"] = (Row(IntegrationStatus.Degraded, r =>
                {
                    r.ActiveKind = r.Kind;
                    r.Method = nameof(ConnectionMethod.TeamKey);
                    r.DegradedCause = nameof(ConnectionProblem.KeyRevoked);
                    r.DegradedReason = "Revoked.";
                }), ConnectionActor.Customer, "Upload a new team key"),
            ["failed"] = (Row(IntegrationStatus.Failed, r => r.FailureReason = "Roles still missing: Finance."),
                ConnectionActor.Customer, "Roles still missing: Finance."),
            ["disconnected"] = (Row(IntegrationStatus.Disconnected), ConnectionActor.Customer, "Confirm again"),
        };

    public static TheoryData<string> States => new(StateCases.Keys);

    [Theory]
    [MemberData(nameof(States))]
    public void Each_state_names_who_acts_and_what_exactly(string state)
    {
        var (row, actor, stepContains) = StateCases[state];
        var next = ConnectionActors.For(row);

        Assert.True(actor == next.Actor, $"{state}: {next.Actor}");
        Assert.Contains(stepContains, next.Step, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wait_on_operators_moves_the_deadline_by_its_working_time_when_it_ends()
    {
        var calendar = new WorkingDayCalendar(TimeZoneInfo.Utc, new HashSet<DateOnly>());
        var friday = new DateTimeOffset(2026, 7, 3, 12, 0, 0, TimeSpan.Zero);
        var row = Row(IntegrationStatus.AwaitingOperator, r => r.Deadline = friday.AddDays(5));

        ConnectionActors.TrackOperatorWait(row, friday, calendar);
        Assert.Equal(friday, row.OperatorsWaitingSince);
        row.Status = nameof(IntegrationStatus.RolesMissing);
        ConnectionActors.TrackOperatorWait(row, friday.AddDays(3), calendar); // Monday 12:00: 24 working hours

        Assert.Null(row.OperatorsWaitingSince);
        Assert.Equal(friday.AddDays(6), row.Deadline);
    }
}
