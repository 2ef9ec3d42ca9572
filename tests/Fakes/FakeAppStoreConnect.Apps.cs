using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace ReviewHub.Fakes;

/// <summary>An app record of the fake team: Apple ID, name, bundle id, and the platforms of its App Store
/// versions.</summary>
public sealed record FakeAscApp(
    string Id, string Name, string BundleId, IReadOnlyList<string> Platforms, string? OnlyForKeyId = null);

/// <summary>
/// <c>GET /v1/apps</c> (apps_getCollection) as Apple serves it: a JSON:API page of <c>apps</c> sorted by the
/// <c>sort</c> parameter, <c>include=appStoreVersions</c> puts each version (with its <c>platform</c>) in
/// <c>included</c> and links it from the app's <c>relationships</c>, because <c>App</c> has no platform attribute;
/// <c>limit</c> 1–200, <c>links.next</c> with a cursor while more remain, <c>meta.paging.total</c>.
/// </summary>
public sealed partial class FakeAppStoreConnect
{
    private readonly ConcurrentDictionary<string, FakeAscApp> teamApps = new();

    private static readonly string[] AppSorts = ["name", "-name", "bundleId", "-bundleId", "sku", "-sku"];

    private const string KeyIdItem = "fake-asc-key-id";

    public void AddApp(string id, string name, string bundleId, params string[] platforms) =>
        teamApps[id] = new FakeAscApp(id, name, bundleId, platforms.Length == 0 ? ["IOS"] : platforms);

    /// <summary>
    /// An app only <paramref name="keyId"/> sees, as an individual key sees only its user's apps (several teams
    /// sharing one fake, e.g. one team per app in the month simulation).
    /// </summary>
    public void AddAppForKey(string id, string name, string keyId, params string[] platforms) =>
        teamApps[id] =
            new FakeAscApp(id, name, $"com.example.{id}", platforms.Length == 0 ? ["IOS"] : platforms, keyId);

    public int AppListings => Requests.Count(r => r.Path == "/v1/apps");

    partial void MapApps(WebApplication app) => app.MapGet("/v1/apps", async context =>
    {
        var query = context.Request.Query;
        var sort = query["sort"].ToString();
        if (sort.Length > 0 && !AppSorts.Contains(sort))
        {
            await WriteAsync(context, 400, ParameterError("sort", $"'{sort}' is not a valid value for sort."));
            return;
        }
        var limit = 50;
        if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], out limit) || limit is < 1 or > 200))
        {
            await WriteAsync(context, 400, ParameterError("limit", "The limit must be between 1 and 200."));
            return;
        }
        var offset = 0;
        if (query.ContainsKey("cursor") && !TryDecodeCursor(query["cursor"].ToString(), out offset))
        {
            await WriteAsync(context, 400, ParameterError("cursor", "The cursor is invalid or expired."));
            return;
        }
        var keyId = context.Items[KeyIdItem] as string;
        var visible = teamApps.Values.Where(a => a.OnlyForKeyId is null || a.OnlyForKeyId == keyId).ToList();
        var all = (sort.TrimStart('-') == "bundleId"
            ? visible.OrderBy(a => a.BundleId, StringComparer.Ordinal)
            : visible.OrderBy(a => a.Name, StringComparer.Ordinal)).ToList();
        if (sort.StartsWith('-'))
        {
            all.Reverse();
        }
        var page = all.Skip(offset).Take(limit).ToList();
        var include = query["include"].ToString().Split(',').Contains("appStoreVersions");
        var root = $"{context.Request.Scheme}://{context.Request.Host}";
        string? next = null;
        if (offset + limit < all.Count)
        {
            var rest = string.Join('&', query.Where(q => q.Key != "cursor")
                .Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}"));
            next = $"{root}{context.Request.Path}?cursor={EncodeCursor(offset + limit)}&{rest}";
        }
        static string VersionId(FakeAscApp a, string platform) => $"{a.Id}-{platform.ToLowerInvariant()}";
        var data = page.Select(a => new Dictionary<string, object>
        {
            ["type"] = "apps",
            ["id"] = a.Id,
            ["attributes"] = new
            {
                name = a.Name, bundleId = a.BundleId, sku = a.BundleId.ToUpperInvariant(), primaryLocale = "en-US",
            },
            ["relationships"] = new
            {
                appStoreVersions = new
                {
                    links = new { related = $"{root}/v1/apps/{a.Id}/appStoreVersions" },
                    data = include
                        ? a.Platforms.Select(p => new { type = "appStoreVersions", id = VersionId(a, p) }).ToArray()
                        : null,
                },
            },
            ["links"] = new { self = $"{root}/v1/apps/{a.Id}" },
        }).ToList();
        var document = new Dictionary<string, object?>
        {
            ["data"] = data,
            ["links"] = next is null
                ? new Dictionary<string, string>
                {
                    ["self"] = $"{root}{context.Request.Path}{context.Request.QueryString}",
                }
                : new Dictionary<string, string>
                {
                    ["self"] = $"{root}{context.Request.Path}{context.Request.QueryString}", ["next"] = next,
                },
            ["meta"] = new { paging = new { total = all.Count, limit } },
        };
        if (include)
        {
            document["included"] = page.SelectMany(a => a.Platforms.Select(p => new
            {
                type = "appStoreVersions",
                id = VersionId(a, p),
                attributes = new { platform = p, versionString = "1.0", appVersionState = "READY_FOR_DISTRIBUTION" },
                links = new { self = $"{root}/v1/appStoreVersions/{VersionId(a, p)}" },
            })).ToList();
        }
        await WriteAsync(context, 200, JsonSerializer.Serialize(document, AppsJson));
    });

    private static readonly JsonSerializerOptions AppsJson = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
