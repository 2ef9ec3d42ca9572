using ReviewHub.AppStoreConnect;

namespace ReviewHub.Integrations;

/// <summary>An app a key sees in App Store Connect: its id (the App Store id), name, bundle id and platforms.</summary>
internal sealed record AppStoreConnectApp(
    string AscAppId, string Name, string BundleId, IReadOnlyList<string> Platforms);

/// <summary>
/// Lists the apps a key can see: <c>GET /v1/apps</c> with their App Store versions included, because <c>App</c> has no
/// platform attribute; a universal purchase is one app with versions of several platforms (IOS, MAC_OS, ...).
/// </summary>
internal sealed class AppStoreConnectAppCatalog(AppStoreConnectClient client)
{
    /// <summary>Apple's largest page; a team rarely has more than one page of apps.</summary>
    public const int PageSize = 200;

    /// <summary>At most this many pages (2,000 apps): the loop over <c>links.next</c> always ends.</summary>
    public const int MaxPages = 10;

    public async Task<IReadOnlyList<AppStoreConnectApp>> ListAsync(
        AppStoreConnectCredential credential, CancellationToken cancellationToken)
    {
        var apps = new List<AppStoreConnectApp>();
        string? next = $"/v1/apps?fields[apps]=name,bundleId,appStoreVersions&include=appStoreVersions" +
            $"&fields[appStoreVersions]=platform&limit[appStoreVersions]=50&sort=name&limit={PageSize}";
        for (var page = 0; next is not null && page < MaxPages; page++)
        {
            var document = (await client.GetAsync<AppsDocument>(credential, next, cancellationToken)).Document;
            var platforms = (document.Included ?? [])
                .Where(i => i.Type == "appStoreVersions" && i.Attributes?.Platform is not null)
                .ToDictionary(i => i.Id, i => i.Attributes!.Platform!);
            foreach (var app in document.Data ?? [])
            {
                var versions = app.Relationships?.AppStoreVersions?.Data ?? [];
                apps.Add(new AppStoreConnectApp(app.Id, app.Attributes?.Name ?? app.Id,
                    app.Attributes?.BundleId ?? string.Empty,
                    versions.Select(v => platforms.GetValueOrDefault(v.Id)).OfType<string>().Distinct()
                        .Order(StringComparer.Ordinal).ToList()));
            }
            next = document.Links?.Next;
        }
        return apps;
    }

    private sealed record AppsDocument(
        IReadOnlyList<AppResource>? Data, IReadOnlyList<IncludedResource>? Included, PageLinks? Links);

    private sealed record AppResource(string Id, AppAttributes? Attributes, AppRelationships? Relationships);

    private sealed record AppAttributes(string? Name, string? BundleId);

    private sealed record AppRelationships(ToMany? AppStoreVersions);

    private sealed record ToMany(IReadOnlyList<Linkage>? Data);

    private sealed record Linkage(string Type, string Id);

    private sealed record IncludedResource(string Type, string Id, VersionAttributes? Attributes);

    private sealed record VersionAttributes(string? Platform);

    private sealed record PageLinks(string? Next);
}
