using ReviewHub.Delivery;
using ReviewHub.Fakes;
using System.Globalization;

namespace ReviewHub.Tests.Delivery;

public sealed class DeliveryUnitTests
{
    [Fact]
    public void Webhook_signatures_match_the_standard_webhooks_test_vector()
    {
        var signature = WebhookChannel.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330, """{"test": 2432232314}""");

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void The_receiver_rejects_a_tampered_body_or_a_stale_timestamp()
    {
        var secret = RouteStore.NewSigningSecret();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = WebhookChannel.Sign(secret, "msg_1", now, "{}");

        Assert.True(FakeWebhookReceiver.Verify(secret, "msg_1", $"{now}", "{}", signature));
        Assert.False(FakeWebhookReceiver.Verify(secret, "msg_1", $"{now}", "{ }", signature));
        Assert.False(FakeWebhookReceiver.Verify(RouteStore.NewSigningSecret(), "msg_1", $"{now}", "{}", signature));
        var old = now - 600;
        Assert.False(FakeWebhookReceiver.Verify(secret, "msg_1", $"{old}", "{}", WebhookChannel.Sign(secret, "msg_1",
            old, "{}")));
    }

    [Fact]
    public void The_slack_pacer_spaces_messages_per_channel()
    {
        var clock = new StoppedClock { Now = DateTimeOffset.Parse("2026-01-01T00:00:00Z",
            CultureInfo.InvariantCulture) };
        var pacer = new SlackPacer(clock);
        var second = TimeSpan.FromSeconds(1);

        Assert.Equal([TimeSpan.Zero, second, 2 * second], new[] { pacer.Reserve("C1", second), pacer.Reserve("C1",
            second), pacer.Reserve("C1", second) });
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("C2", second));
        clock.Now += TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("C1", second));
    }

    [Fact]
    public void Slack_text_escapes_only_its_control_characters()
    {
        Assert.Equal("a &amp;lt; &lt;!here&gt; 'b' \"c\"", SlackChannel.Escape("a &lt; <!here> 'b' \"c\""));
    }

    [Theory]
    [InlineData(1, "USA", true)]
    [InlineData(3, "USA", false)]
    [InlineData(1, "FRA", false)]
    public void Filters_match_on_rating_and_territory(int rating, string territory, bool expected)
    {
        var route = new RouteEntity { Ratings = "1,2", Territories = "USA,GBR" };

        Assert.Equal(expected, route.Matches(rating, territory));
        Assert.True(new RouteEntity().Matches(rating, territory));
    }

    private sealed class StoppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
