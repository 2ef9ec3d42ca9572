using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Configuration;
using ReviewHub.Replies;

namespace ReviewHub.Slack;

internal static class SlackServiceCollectionExtensions
{
    public static IServiceCollection AddSlack(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SlackOptions>(configuration, SlackOptions.Section);
        services.AddSingleton<SlackUserLinkStore>();
        services.AddSingleton<SlackReplyBlocks>();
        services.AddSingleton<IReplyStatusObserver, SlackReplyStatusObserver>();
        // They hold the typed Slack HttpClient (transient).
        services.AddTransient<SlackInteractions>();
        services.AddTransient<SlackMessageUpdater>();
        return services;
    }
}
