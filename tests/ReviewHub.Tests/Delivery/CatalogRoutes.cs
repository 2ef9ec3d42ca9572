using System.Collections.Concurrent;
using ReviewHub.Delivery;
using ReviewHub.Fakes;

namespace ReviewHub.Tests.Delivery;

/// <summary>
/// A webhook route per catalog world, for the endpoint catalog's route rows: Arrange creates it (through the API,
/// pointing at a shared signature-checking receiver) and Path finds its id. Without Arrange the path names a route that
/// does not exist.
/// </summary>
internal static class CatalogRoutes
{
    private static readonly ConcurrentDictionary<string, string> RouteIds = new();
    private static readonly Lazy<Task<FakeWebhookReceiver>> Receiver = new(async () =>
    {
        var receiver = new FakeWebhookReceiver();
        await receiver.StartAsync();
        return receiver;
    });

    public static async Task ArrangeAsync(TestApp app, TestWorld world)
    {
        var receiver = await Receiver.Value;
        var created = await app.Host.PostAsync($"{world.AppPath}/routes", world.Token,
            new { channel = "webhook", target = receiver.UrlFor($"catalog/{world.AppId}") });
        Assert.True(created.Status == 201, created.ToString());
        var route = created.As<RouteResponse>();
        receiver.SetSecret($"catalog/{world.AppId}", route.SigningSecret!);
        RouteIds[world.AppId] = route.RouteId;
    }

    public static string Path(TestWorld world, string suffix = "") =>
        $"{world.AppPath}/routes/{(RouteIds.TryGetValue(world.AppId, out var id) ? id : new string('c', 32))}{suffix}";
}
