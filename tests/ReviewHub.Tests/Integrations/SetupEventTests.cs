using System.Text.Json;
using ReviewHub.Integrations;
using ReviewHub.Json;

namespace ReviewHub.Tests.Integrations;

/// <summary>
/// The setup's events are records, and a setup in flight at a deployment still takes the bare <c>true</c> that earlier
/// builds raised (it stays in the orchestration's history and is replayed).
/// </summary>
public sealed class SetupEventTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);

    public static TheoryData<JsonSerializerOptions> Serializers => new()
    {
        ReviewHubJson.Options, // the Functions worker's shape (camelCase)
        new JsonSerializerOptions(), // the in-process test host's default
    };

    [Theory]
    [MemberData(nameof(Serializers))]
    public void Events_round_trip_with_their_fields(JsonSerializerOptions options)
    {
        CredentialRegisteredEvent registered = new(ConnectionMethod.TeamKey, At);
        RolesUpdatedEvent told = new("user-1", At);
        CancelSetupEvent stop = new(SetupStopReason.Disconnected, "owner-1");

        Assert.Equal(registered, RoundTrip(registered, options));
        Assert.Equal(told, RoundTrip(told, options));
        Assert.Equal(stop, RoundTrip(stop, options));
        Assert.Contains("\"disconnected\"", JsonSerializer.Serialize(stop, options),
            StringComparison.OrdinalIgnoreCase); // a name, not a number
    }

    [Theory]
    [MemberData(nameof(Serializers))]
    public void A_bare_true_from_an_earlier_build_reads_as_the_event_without_details(JsonSerializerOptions options)
    {
        Assert.Equal(new CredentialRegisteredEvent(null, null),
            JsonSerializer.Deserialize<CredentialRegisteredEvent>("true", options));
        Assert.Equal(new RolesUpdatedEvent(null, null), JsonSerializer.Deserialize<RolesUpdatedEvent>("true", options));
        Assert.Equal(new CancelSetupEvent(null, null), JsonSerializer.Deserialize<CancelSetupEvent>("true", options));
    }

    [Fact]
    public void Anything_else_is_refused()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CancelSetupEvent>("\"cancel\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CancelSetupEvent>("""{"reason":"Later"}"""));
    }

    [Fact]
    public async Task A_roles_updated_event_raised_as_true_by_an_earlier_build_still_rechecks_at_once()
    {
        // An hour between polls: only the event can make the setup look again within the test.
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Integrations:PollInterval"] = "01:00:00",
        });
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.Marketing);
        await h.WaitForStatusAsync(s => s.Status == "rolesMissing");

        h.Asc.SetUserRoles(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport]);
        await h.Durable.Client.RaiseEventAsync(h.InstanceId, RolesUpdatedEvent.Name, true);

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
    }

    [Fact]
    public async Task A_cancel_raised_as_true_by_an_earlier_build_still_ends_the_setup()
    {
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Integrations:PollInterval"] = "01:00:00",
        });
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);
        Assert.NotNull(await h.App.Get<IntegrationStore>().CancelAsync(h.World.AccountId, h.ConnectionId,
            CancellationToken.None));

        await h.Durable.Client.RaiseEventAsync(h.InstanceId, CancelSetupEvent.Name, true);

        Assert.Equal("Cancelled", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
    }

    private static T? RoundTrip<T>(T value, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, options), options);
}
