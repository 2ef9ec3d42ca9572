using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Configuration;

namespace ReviewHub.Delivery;

internal static class DeliveryServiceCollectionExtensions
{
    public static IServiceCollection AddDelivery(this IServiceCollection services,
        IConfiguration configuration)
    {
        services.AddValidatedOptions<DeliveryOptions>(configuration, DeliveryOptions.Section);

        services.AddSingleton<RouteStore>();
        services.AddSingleton<DeliveryLedger>();
        services.AddSingleton<IAppDataPurger>(provider => provider.GetRequiredService<RouteStore>());
        services.AddSingleton<IAppDataPurger>(provider => provider.GetRequiredService<DeliveryLedger>());
        services.AddSingleton<NewReviewsFanOut>();
        services.AddSingleton(provider =>
            new ReviewLinks(provider.GetRequiredService<IOptions<DeliveryOptions>>().Value.SpaBaseUrl));
        // Typed HTTP clients are transient (handler rotation), so everything that holds one is too.
        services.AddSingleton<SlackPacer>();
        services.AddTransient<BrokenRouteNotifier>();
        services.AddTransient<RouteDeliverer>();
        services.AddTransient<ReplyEventDeliverer>();
        services.AddSingleton<Replies.IReplyStatusObserver, ReplyEventObserver>();

        // chat.postMessage is not idempotent: only 429s and failed connections are retried here; the queue and ledger
        // retry the rest.
        services.AddHttpClient<SlackClient>((provider, http) =>
                http.BaseAddress = new Uri(
                provider.GetRequiredService<IOptions<DeliveryOptions>>().Value.SlackApiBaseUrl.TrimEnd('/') + "/"))
            .AddOutboundResilience(ChannelTimeout, OutboundRetry.UnprocessedOnly);
        services.AddHttpClient<ZendeskChannel>().AddOutboundResilience(ChannelTimeout);
        // Webhook receivers are customer servers: public addresses only, and never follow their redirects (3xx is a
        // failure).
        services.AddHttpClient<WebhookChannel>()
            .ConfigurePrimaryHttpMessageHandler(provider =>
                WebhookConnectGuard.CreateHandler(
                provider.GetRequiredService<IOptions<DeliveryOptions>>().Value.AllowInsecureWebhooks))
            .AddOutboundResilience(ChannelTimeout);
        services.AddTransient<SlackChannel>();
        services.AddTransient<EmailChannel>();
        services.AddTransient<IDeliveryChannel>(provider => provider.GetRequiredService<SlackChannel>());
        services.AddTransient<IDeliveryChannel>(provider => provider.GetRequiredService<EmailChannel>());
        services.AddTransient<IDeliveryChannel>(provider => provider.GetRequiredService<ZendeskChannel>());
        services.AddTransient<IDeliveryChannel>(provider => provider.GetRequiredService<WebhookChannel>());
        services.AddTransient<IReplyEventChannel>(provider => provider.GetRequiredService<SlackChannel>());
        services.AddTransient<IReplyEventChannel>(provider => provider.GetRequiredService<ZendeskChannel>());
        services.AddTransient<IReplyEventChannel>(provider => provider.GetRequiredService<WebhookChannel>());
        return services;
    }

    private static void ChannelTimeout(IServiceProvider provider,
        Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions resilience) =>
        resilience.AttemptTimeout.Timeout = provider.GetRequiredService<IOptions<DeliveryOptions>>()
            .Value.ChannelTimeout;
}
