using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Configuration;

namespace ReviewHub.Replies;

internal static class RepliesServiceCollectionExtensions
{
    public static IServiceCollection AddReplies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ReplyOptions>(configuration, ReplyOptions.Section);
        services.AddSingleton<ReplyStore>();
        services.AddSingleton<ReplyWriter>();
        services.AddSingleton<CustomerReviewResponses>();
        services.AddSingleton<ReplyCredentials>();
        services.AddSingleton<ReplySender>();
        services.AddSingleton<PlayReplyPublisher>();
        services.AddSingleton<ReplyModerationTracker>();
        services.AddSingleton<HeldReplyRelease>();
        services.AddSingleton<Integrations.IIntegrationConnectionListener>(provider =>
            provider.GetRequiredService<HeldReplyRelease>());
        services.AddSingleton<IAppDataPurger, ReplyDataPurger>();
        services.AddSingleton<Reviews.IReviewEditObserver, ReplyOutdatedObserver>();
        return services;
    }
}
