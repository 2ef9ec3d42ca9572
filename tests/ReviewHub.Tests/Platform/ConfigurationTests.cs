using Microsoft.Extensions.Options;


namespace ReviewHub.Tests.Platform;

public sealed class ConfigurationTests
{
    public static TheoryData<string, string?> BrokenSettings => new()
    {
        { "Auth:Issuer", "" },
        { "Auth:SigningKey", "too-short" },
        { "Auth:Authority", "https://login.microsoftonline.com/tenant/v2.0" }, // both authority and local key
        { "Email:FromAddress", "not-an-email" },
        { "Email:SendGridApiKey", "" },
        { "AppStoreConnect:TokenLifetime", "00:30:00" }, // Apple rejects tokens living over 20 minutes
        { "Reviews:ApiPageSize", "500" }, // Apple's maximum page is 200
        { "Reviews:FeedBaseUrl", "not a url" },
        { "Reviews:MinInterval", "02:00:00" }, // a floor above the hourly promise
        { "Reviews:DuePartitions", "0" },
        { "Reviews:SpeedUpBudgetShare", "1.5" },
        { "OutboundHttp:MaxRetryAfterWait", "00:01:00" }, // a worker would sit out the whole call deadline
        { "OutboundHttp:MaxRetryAfterDeferral", "30.00:00:00" }, // beyond a storage queue's 7-day visibility limit
    };

    [Theory]
    [MemberData(nameof(BrokenSettings))]
    public async Task The_app_refuses_to_start_with_invalid_settings(string key, string? value)
    {
        var ex = await Record.ExceptionAsync(() => TestApp.StartAsync(new Dictionary<string, string?> { [key] =
            value }));

        // The startup validator throws one OptionsValidationException, or an AggregateException when several
        // validations fail.
        var failures = ex is AggregateException many ? many.InnerExceptions.ToList()
            : [Assert.IsType<OptionsValidationException>(ex)];
        Assert.All(failures, f => Assert.IsType<OptionsValidationException>(f));
        Assert.Contains(failures, f => f.Message.Contains(key.Split(':')[1]));
    }
}
