using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ReviewHub.Configuration;

internal static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <c>{section}__*</c> settings and validates its data annotations (and
    /// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>) when the app starts, so a bad setting
    /// stops the deployment's smoke test instead of the first request that needs it.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services,
        IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
