using ReviewHub.GooglePlay;
using ReviewHub.Http;

namespace ReviewHub.Apps;

/// <summary>
/// An app to register. App Store apps (ios, macos) name their numeric Apple ID and the territories whose reviews to
/// read; Android apps name their package name and no territories (Play lists all countries' reviews together).
/// </summary>
internal sealed record RegisterAppRequest(string? StoreAppId, string? Platform, string? Name,
    IReadOnlyList<string>? Territories) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        string? platform = null;
        if (errors.Required(Platform, "platform", 10))
        {
            if (Platforms.All.Contains(Platform))
            {
                platform = Platform;
            }
            else
            {
                errors.Add("platform", $"must be one of: {string.Join(", ", Platforms.All)}.");
            }
        }
        if (platform == Platforms.Android)
        {
            if (errors.Required(StoreAppId, "storeAppId", PackageNames.MaxLength) && !PackageNames.IsValid(StoreAppId))
            {
                errors.Add("storeAppId", PackageNames.Rule);
            }
            if (Territories is not null)
            {
                errors.Add("territories", AppRules.NoTerritoriesOnPlay);
            }
        }
        else
        {
            if (errors.Required(StoreAppId, "storeAppId", 20) && !StoreAppId.All(char.IsAsciiDigit))
            {
                errors.Add("storeAppId", "must be the app's numeric Apple ID.");
            }
            AppRules.ValidateTerritories(Territories, errors, required: true);
        }
        errors.SingleLine(Name, "name", 200);
    }
}

/// <summary>
/// Changes an app; absent fields keep their value. <see cref="TranslationLanguage"/> (Android apps only): the language
/// Google Play translates reviews into, e.g. <c>en</c> or <c>en_GB</c>; an empty string turns translation off.
/// </summary>
internal sealed record UpdateAppRequest(
    string? Name, IReadOnlyList<string>? Territories, string? TranslationLanguage = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is null && Territories is null && TranslationLanguage is null)
        {
            errors.Add("body", "Send at least one of: name, territories, translationLanguage.");
        }
        if (Name is not null)
        {
            errors.SingleLine(Name, "name", 200);
        }
        AppRules.ValidateTerritories(Territories, errors, required: false);
        if (TranslationLanguage is { Length: > 0 } language && !AppRules.IsLanguageCode(language))
        {
            errors.Add("translationLanguage",
                "must be a language code such as en, pt or en_GB (ISO 639 language, optional region), " +
                "or \"\" for none.");
        }
    }

    /// <summary>The problems of this change for an app of <paramref name="store"/>: the fields of the other store.
    /// </summary>
    public ValidationErrors ValidateFor(string store)
    {
        var errors = new ValidationErrors();
        if (store == Stores.GooglePlay && Territories is not null)
        {
            errors.Add("territories", AppRules.NoTerritoriesOnPlay);
        }
        if (store != Stores.GooglePlay && TranslationLanguage is not null)
        {
            errors.Add("translationLanguage",
                "applies to android apps only: the App Store does not translate reviews.");
        }
        return errors;
    }
}

internal sealed record AppResponse(
    string AppId, string AccountId, string StoreAppId, string Platform, string Store, string Name,
    IReadOnlyList<string> Territories, DateTimeOffset CreatedAt, string? TranslationLanguage = null)
{
    public static AppResponse From(AppEntity app) => new(
        app.AppId, app.AccountId, app.StoreAppId, app.Platform, app.Store, app.Name, app.TerritoryList, app.CreatedAt,
        app.TranslationLanguage);
}

internal static partial class AppRules
{
    public const string NoTerritoriesOnPlay =
        "does not apply to android apps: Google Play lists reviews of all countries.";

    public const int MaxTerritories = 200;

    public static void ValidateTerritories(IReadOnlyList<string>? territories, ValidationErrors errors, bool required)
    {
        if (territories is null)
        {
            if (required)
            {
                errors.Add("territories", "is required: a list of ISO 3166 alpha-3 codes, e.g. [\"USA\"].");
            }
            return;
        }
        if (territories.Count == 0 || territories.Count > MaxTerritories)
        {
            errors.Add("territories", $"must list between 1 and {MaxTerritories} territories.");
        }
        foreach (var code in territories.Where(c => !Apps.Territories.IsKnown(c)))
        {
            errors.Add("territories", $"'{code}' is not an App Store territory (ISO 3166 alpha-3, upper case).");
        }
    }

    /// <summary>An ISO 639 language code with an optional region (<c>en</c>, <c>en_GB</c>, <c>pt-BR</c>).</summary>
    public static bool IsLanguageCode(string value) => LanguageCode().IsMatch(value);

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]{2,3}([_-][A-Z]{2}|[_-][0-9]{3})?$")]
    private static partial System.Text.RegularExpressions.Regex LanguageCode();

    public static string JoinTerritories(IEnumerable<string> territories) =>
        string.Join(',', territories.Distinct(StringComparer.Ordinal));
}
