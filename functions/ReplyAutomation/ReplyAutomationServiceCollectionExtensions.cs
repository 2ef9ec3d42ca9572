using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Configuration;

namespace ReviewHub.ReplyAutomation;

internal static class ReplyAutomationServiceCollectionExtensions
{
    public static IServiceCollection AddReplyAutomation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ReplyAutomationOptions>(configuration, ReplyAutomationOptions.Section);
        services.AddSingleton<ReplyTemplateStore>();
        services.AddSingleton<ReplyAutomationStore>();
        services.AddSingleton<ReplyAutomationRunner>();
        services.AddSingleton<IAppDataPurger, ReplyAutomationPurger>();
        return services;
    }
}
