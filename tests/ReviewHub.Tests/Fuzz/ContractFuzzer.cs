using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CsCheck;
using Microsoft.Extensions.Azure;
using ReviewHub.Accounts;
using ReviewHub.Fakes;
using ReviewHub.Tests.OpenApi;
using ReviewHub.Tests.Reviews;

namespace ReviewHub.Tests.Fuzz;

/// <summary>One generated request: the documented operation it targets and what was sent.</summary>
internal sealed record FuzzRequest(
    string OperationId,
    HttpMethod Method,
    string Path,
    string Caller,
    string? Token,
    string? Body,
    bool Chunked
)
{
    public override string ToString() =>
        $"{OperationId}: {Method} {Path} as {Caller}{(Chunked ? " (chunked)" : "")}"
        + (Body is null ? "" : $" body {(Body.Length > 300 ? Body[..300] + $"… ({Body.Length} chars)" : Body)}");
}

/// <summary>What a run found. <see cref="ResultLine"/> is the benchmark's RESULT line.</summary>
internal sealed class FuzzResult
{
    public int Requests { get; set; }
    public int Status5xx { get; set; }
    public int WritesOn4xx { get; set; }
    public int Undocumented { get; set; }
    public SortedDictionary<int, int> Statuses { get; } = [];
    public SortedDictionary<string, int> Operations { get; } = new(StringComparer.Ordinal);
    public List<string> Findings { get; } = [];

    /// <summary>
    /// Where the time went: sending requests, snapshotting storage, checking responses against the document.
    /// </summary>
    public TimeSpan Sending { get; set; }
    public TimeSpan Snapshotting { get; set; }
    public TimeSpan Checking { get; set; }

    public bool Clean => Status5xx == 0 && WritesOn4xx == 0 && Undocumented == 0;

    public string ResultLine =>
        $"RESULT requests={Requests} status_5xx={Status5xx} writes_on_4xx={WritesOn4xx} "
        + $"undocumented_responses={Undocumented}";

    public void Report(string finding)
    {
        if (Findings.Count < 25)
        {
            Findings.Add(finding);
        }
    }
}

/// <summary>
/// Fuzzes the HTTP API from its contract, docs/openapi.yaml: for a randomly chosen documented operation it generates a
/// path (the world's real ids, well-formed unknown ids and hostile strings for each path parameter), query parameters
/// and a body from the operation's request schema (valid-shaped values, boundary values, wrong types, huge lists,
/// garbage text; sometimes chunked, without Content-Length) and a caller (member, owner, operator, stranger, none).
/// Every response must be documented for its status and match its schema; none may be 5xx; and a 4xx must leave every
/// table, queue and secret exactly as it was (<see cref="StorageSnapshot"/>). Operations added to the document later
/// are fuzzed without any change here: unknown parameter names get schema-driven and hostile values.
/// </summary>
internal sealed class ContractFuzzer : IAsyncDisposable
{
    /// <summary>
    /// Requests after which a fresh world is made (earlier requests may have removed the app or handed the account on).
    /// </summary>
    private const int WorldLifetime = 400;

    /// <summary>Every this many 4xx answers that sent no write to storage are compared in full all the same.</summary>
    private const int AuditEvery = 10;

    /// <summary>Values a table key cannot hold, or that only just fit.</summary>
    private static readonly string[] KeyBreakers =
    ["a/b", "a\\b", "a#b", "a?b", "a\u0000b", "a\r\nb", "\t", new string('x', 600), new string('k', 512)];

    /// <summary>Values at the edges of dates and numbers.</summary>
    private static readonly string[] Edges =
    [
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "2026-13-45",
        "-1",
        "0",
        "2147483648",
        "1e309",
    ];

    /// <summary>Text that breaks parsers, escapes and layouts.</summary>
    private static readonly string[] Tricky =
    [
        "",
        " ",
        "%",
        "%2F",
        "~",
        "'",
        "\"",
        "<script>",
        "é\u0301",
        "😀",
        "\u2028",
        "&amp;",
        new string('a', 3000),
        "null",
        "true",
        "[]",
        "{}",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "' or PartitionKey ne ''",
        "@",
        "a@",
        "@b.c",
    ];

    /// <summary>Query parameters are parsed as dates and numbers: mostly their edges.</summary>
    private static readonly Gen<string> QueryHostileGen = Gen.Frequency<string>(
        (3, Gen.OneOf(Edges)),
        (1, Gen.OneOf(KeyBreakers)),
        (1, Gen.OneOf(Tricky))
    );

    /// <summary>One of the three kinds, evenly, whatever their sizes.</summary>
    private static readonly Gen<string> HostileGen = Gen.OneOf<string>(
        Gen.OneOf(KeyBreakers),
        Gen.OneOf(Edges),
        Gen.OneOf(Tricky)
    );

    private static readonly string[] GarbageBodies =
    [
        "",
        "{",
        "[",
        "null",
        "\"text\"",
        "[1,2]",
        "42",
        "{\"a\":",
        new string('[', 200) + new string(']', 200),
        "{\"name\":\"" + new string('x', 100_000) + "\"}",
        "\u0000",
        "{\"name\":\"\\ud800\"}",
    ];

    private readonly TestApp app;
    private readonly StorageWriteRecorder recorder;
    private readonly FakeWebhookReceiver receiver;
    private readonly IReadOnlyList<ApiDescription.Operation> operations;
    private readonly JsonNode document;
    private FuzzWorld world;
    private Gen<FuzzRequest>? requests_;

    private ContractFuzzer(
        TestApp app,
        StorageWriteRecorder recorder,
        FakeWebhookReceiver receiver,
        IReadOnlyList<ApiDescription.Operation> operations,
        JsonNode document,
        FuzzWorld world
    )
    {
        this.app = app;
        this.recorder = recorder;
        this.receiver = receiver;
        this.operations = operations;
        this.document = document;
        this.world = world;
    }

    /// <summary>
    /// A test app on its own Azurite (nothing else writes there), with tighter limits so they are reached too.
    /// </summary>
    public static async Task<ContractFuzzer> StartAsync()
    {
        var storage = await Azurite.IsolatedConnectionStringAsync("contract-fuzz");
        var recorder = new StorageWriteRecorder();
        var app = await TestApp.StartAsync(
            new Dictionary<string, string?>
            {
                ["Storage:Tables"] = storage,
                ["Storage:Queues"] = storage,
                ["Limits:AppsPerAccount"] = "4",
                ["Limits:RoutesPerApp"] = "4",
                ["Limits:MembersPerAccount"] = "5",
                ["Limits:TerritoriesPerApp"] = "5",
                ["OutboundHttp:MaxRetryAttempts"] = "1",
            },
            services =>
                services.AddAzureClients(clients =>
                    clients.ConfigureDefaults(options => options.AddPolicy(recorder, HttpPipelinePosition.PerCall))
                )
        );
        var receiver = new FakeWebhookReceiver();
        await receiver.StartAsync();
        var loaded = await ApiDescription.GetAsync();
        return new ContractFuzzer(
            app,
            recorder,
            receiver,
            await ApiDescription.OperationsAsync(),
            loaded.Json,
            await FuzzWorld.CreateAsync(app, receiver)
        );
    }

    public async Task<FuzzResult> RunAsync(int requests, ulong seed, Action<string>? progress = null)
    {
        var result = new FuzzResult();
        var pcg = new PCG(1, seed);
        var before = await SnapshotAsync();
        var quiet4xx = 0;
        for (var i = 0; i < requests; i++)
        {
            if (i > 0 && i % WorldLifetime == 0)
            {
                world = await FuzzWorld.CreateAsync(app, receiver);
                requests_ = null;
                before = await SnapshotAsync();
            }
            requests_ ??= RequestGen();
            var request = requests_.Generate(pcg, null!, out _);
            var writes = recorder.Writes;
            var secrets = SecretFiles();
            var started = Stopwatch.GetTimestamp();
            var response = await SendAsync(request);
            var sent = Stopwatch.GetTimestamp();
            var wrote = recorder.Writes != writes || SecretFiles() != secrets;
            var is4xx = response.Status is >= 400 and < 500;
            // Storage that saw no write request is unchanged; a sample of those 4xx is compared in full anyway.
            var after = wrote || (is4xx && ++quiet4xx % AuditEvery == 0) ? await SnapshotAsync() : before;
            var snapshotted = Stopwatch.GetTimestamp();
            await CheckAsync(result, request, response, before, after);
            result.Sending += Stopwatch.GetElapsedTime(started, sent);
            result.Snapshotting += Stopwatch.GetElapsedTime(sent, snapshotted);
            result.Checking += Stopwatch.GetElapsedTime(snapshotted);
            before = after;
            if (progress is not null && (i + 1) % 1000 == 0)
            {
                progress($"{i + 1} requests: {result.ResultLine[7..]}");
            }
        }
        return result;
    }

    private string SecretFiles()
    {
        var directory = app.Configuration["Secrets:LocalDirectory"];
        return directory is null || !Directory.Exists(directory)
            ? string.Empty
            : string.Join(
                '|',
                new DirectoryInfo(directory)
                    .EnumerateFiles("*", SearchOption.AllDirectories)
                    .Select(f => $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}")
                    .Order(StringComparer.Ordinal)
            );
    }

    private async Task<TestResponse> SendAsync(FuzzRequest request)
    {
        try
        {
            return await app.Host.SendAsync(
                request.Method,
                request.Path,
                request.Token,
                request.Body,
                chunked: request.Chunked
            );
        }
        catch (Exception ex)
        {
            // Anything the host itself could not turn into a response is a server error too.
            return new TestResponse(
                500,
                new Microsoft.AspNetCore.Http.HeaderDictionary(),
                ex.ToString(),
                request.OperationId
            )
            {
                Exception = ex,
            };
        }
    }

    /// <summary>Counts what is wrong with one exchange; internal for the tests that make sure it can fail.</summary>
    internal static async Task CheckAsync(
        FuzzResult result,
        FuzzRequest request,
        TestResponse response,
        StorageSnapshot before,
        StorageSnapshot after
    )
    {
        result.Requests++;
        result.Statuses[response.Status] = result.Statuses.GetValueOrDefault(response.Status) + 1;
        result.Operations[request.OperationId] = result.Operations.GetValueOrDefault(request.OperationId) + 1;
        if (response.Status >= 500)
        {
            result.Status5xx++;
            result.Report($"5xx {request}\n  → {Truncate(response.ToString())}");
        }
        var problems = await ApiDescription.ValidateAsync(response);
        if (
            problems.Count > 0
            || (response.Status is >= 400 and < 500 && response.ContentType != "application/problem+json")
        )
        {
            result.Undocumented++;
            result.Report(
                $"undocumented {request}\n  → {Truncate(string.Join("; ", problems))} "
                    + $"({response.Status} {response.ContentType})"
            );
        }
        if (response.Status is >= 400 and < 500 && before.Diff(after) is { Count: > 0 } diff)
        {
            result.WritesOn4xx++;
            result.Report($"write on {response.Status} {request}\n  → {string.Join("\n    ", diff)}");
        }
    }

    private Task<StorageSnapshot> SnapshotAsync() =>
        StorageSnapshot.TakeAsync(
            app.Get<TableServiceClient>(),
            app.Get<QueueServiceClient>(),
            app.Configuration["Secrets:LocalDirectory"]
        );

    private static string Truncate(string text) => text.Length <= 600 ? text : text[..600] + "…";

    // ---- generators, all driven by the document ----

    private Gen<FuzzRequest> RequestGen() =>
        Gen.OneOf(operations.ToArray())
            .SelectMany(operation =>
                Gen.Select(
                    PathGen(operation),
                    QueryGen(operation),
                    BodyGen(operation),
                    CallerGen(operation),
                    Gen.Int[0, 4],
                    (path, query, body, caller, chunk) =>
                        new FuzzRequest(
                            operation.OperationId,
                            new HttpMethod(operation.Method),
                            path + query,
                            caller.Name,
                            caller.Token,
                            body,
                            Chunked: body is not null && chunk == 0
                        )
                )
            );

    private IEnumerable<JsonNode> Parameters(ApiDescription.Operation operation)
    {
        var pathItem = document["paths"]![operation.Path]!;
        return (pathItem["parameters"]?.AsArray() ?? [])
            .Concat(operation.Node["parameters"]?.AsArray() ?? [])
            .Select(p => Resolve(p!));
    }

    private Gen<string> PathGen(ApiDescription.Operation operation)
    {
        var parameters = Parameters(operation)
            .Where(p => p["in"]?.GetValue<string>() == "path")
            .ToDictionary(p => p["name"]!.GetValue<string>(), p => p["schema"] ?? new JsonObject());
        var segments = operation
            .Path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(segment =>
                segment.StartsWith('{') && segment.EndsWith('}')
                    ? PathValueGen(
                            segment[1..^1],
                            Resolve(parameters.GetValueOrDefault(segment[1..^1]) ?? new JsonObject())
                        )
                        .Select(Uri.EscapeDataString)
                    : Gen.Const(segment)
            );
        return Sequence(segments).Select(parts => "/api/" + string.Join('/', parts));
    }

    /// <summary>
    /// The world's own ids most of the time (to reach deep code), else unknown well-formed ids and hostile strings.
    /// </summary>
    private Gen<string> PathValueGen(string name, JsonNode schema)
    {
        var hostile = HostileGen.Where(h => h.Trim('.').Length > 0 && !char.IsSurrogate(h[0]));
        var known = name switch
        {
            "accountId" => Gen.Frequency<string>(
                (8, Gen.Const(world.Owner.AccountId)),
                (1, Gen.Const(world.Stranger.AccountId))
            ),
            "appId" => Gen.Frequency<string>((8, Gen.Const(world.Owner.AppId)), (1, Gen.Const(world.Stranger.AppId))),
            "routeId" => Gen.Const(world.RouteId),
            "reviewId" => Gen.OneOf(world.ReviewIds),
            "userId" => Gen.OneOf(world.MemberId, world.Owner.UserId, "never-a-member"),
            "queue" => Gen.OneOf(ReviewHubStorage.Catalog.Queues.ToArray()),
            "token" => Gen.OneOf(world.ConfirmationTokens),
            // An empty segment is another route (the host never hands it to this operation), like hostile dots.
            _ => StringGen(schema).Where(v => v.Trim('.').Length > 0),
        };
        return Gen.Frequency<string>((20, known), (1, IdGen), (3, hostile));
    }

    private static readonly Gen<string> IdGen = Gen.Select(Gen.Guid, g => g.ToString("N"));

    private Gen<string> QueryGen(ApiDescription.Operation operation)
    {
        var parameters = Parameters(operation).Where(p => p["in"]?.GetValue<string>() == "query").ToList();
        var values = parameters.Select(p =>
        {
            var schema = Resolve(p["schema"] ?? new JsonObject());
            var typed = schema["example"] is { } example
                ? Gen.OneOf<string>(Gen.Const(example.ToString()), StringGen(schema))
                : StringGen(schema);
            return Gen.Frequency<string?>(
                    (4, Gen.Const((string?)null)),
                    (3, typed.Select(v => (string?)v)),
                    (3, QueryHostileGen.Select(v => (string?)v))
                )
                .Select(v => v is null ? null : $"{p["name"]!.GetValue<string>()}={Uri.EscapeDataString(v)}");
        });
        return Sequence(values)
            .Select(pairs =>
                pairs.Where(v => v is not null).ToList() is { Count: > 0 } present
                    ? "?" + string.Join('&', present)
                    : ""
            );
    }

    private Gen<string?> BodyGen(ApiDescription.Operation operation)
    {
        var schema = operation.Node["requestBody"]?["content"]?["application/json"]?["schema"];
        var garbage = Gen.OneOf(GarbageBodies).Select(b => (string?)b);
        if (schema is null)
        {
            return Gen.Frequency<string?>((8, Gen.Const((string?)null)), (1, garbage));
        }
        var typed = ValueGen(Resolve(schema), 0).Select(node => (string?)(node?.ToJsonString() ?? "null"));
        return Gen.Frequency<string?>((14, typed), (2, garbage), (1, Gen.Const((string?)null)));
    }

    private Gen<(string Name, string? Token)> CallerGen(ApiDescription.Operation operation)
    {
        var isPublic = operation.Node["security"]?.AsArray().Count == 0;
        var isOperator = operation.Node["x-operator-only"]?.GetValue<bool>() == true;
        (string, string?) primary =
            isPublic ? ("anonymous", null)
            : isOperator ? ("operator", world.OperatorToken)
            : ("owner", world.Owner.Token);
        return Gen.Frequency<(string, string?)>(
            (14, Gen.Const(primary)),
            (2, Gen.Const<(string, string?)>(("member", world.MemberToken))),
            (2, Gen.Const<(string, string?)>(("stranger", world.Stranger.Token))),
            (1, Gen.Const<(string, string?)>(("operator", world.OperatorToken))),
            (1, Gen.Const<(string, string?)>(("no token", null))),
            (1, Gen.Const<(string, string?)>(("garbage token", "not.a.jwt")))
        );
    }

    /// <summary>
    /// A JSON value for <paramref name="schema"/>: mostly of its type and within or at its bounds, sometimes not.
    /// </summary>
    private Gen<JsonNode?> ValueGen(JsonNode schema, int depth)
    {
        schema = Resolve(schema);
        var wrong = Gen.OneOf<JsonNode?>(
            null,
            JsonValue.Create(12345),
            JsonValue.Create("text"),
            JsonValue.Create(true),
            new JsonArray(),
            new JsonObject(),
            JsonValue.Create(1e300)
        );
        Gen<JsonNode?> typed;
        if ((schema["anyOf"] ?? schema["oneOf"]) is { } alternatives)
        {
            typed = Gen.OneOf<JsonNode?>(
                alternatives.AsArray().Select(a => (IGen<JsonNode?>)ValueGen(a!, depth)).ToArray()
            );
        }
        else if (schema["allOf"] is { } parts)
        {
            var merged = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            foreach (var part in parts.AsArray().Select(p => Resolve(p!)))
            {
                foreach (var (key, value) in part["properties"]?.AsObject() ?? [])
                {
                    merged["properties"]![key] = value!.DeepClone();
                }
            }
            typed = ValueGen(merged, depth);
        }
        else if (schema["enum"] is { } values)
        {
            typed = Gen.OneOf<JsonNode?>(values.AsArray().Select(v => v?.DeepClone()).ToArray());
        }
        else
        {
            var types = schema["type"] switch
            {
                JsonArray many => many.Select(t => t!.GetValue<string>()).ToArray(),
                JsonValue one => [one.GetValue<string>()],
                _ => schema["properties"] is not null ? ["object"] : ["string"],
            };
            typed = Gen.OneOf<JsonNode?>(
                types
                    .Select(t =>
                        (IGen<JsonNode?>)(
                            t switch
                            {
                                "object" => ObjectGen(schema, depth),
                                "array" => ArrayGen(schema, depth),
                                "integer" or "number" => IntegerGen(schema),
                                "boolean" => Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
                                "null" => Gen.Const((JsonNode?)null),
                                _ => StringGen(schema).Select(s => (JsonNode?)JsonValue.Create(s)),
                            }
                        )
                    )
                    .ToArray()
            );
        }
        return Gen.Frequency<JsonNode?>((12, typed), (1, wrong));
    }

    private Gen<JsonNode?> ObjectGen(JsonNode schema, int depth)
    {
        var required = schema["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
        var properties = (schema["properties"]?.AsObject() ?? []).Where(p => p.Value is not null).ToList();
        var members = properties
            .Select(p =>
            {
                var value = depth > 4 ? Gen.Const<JsonNode?>(JsonValue.Create("deep")) : ValueGen(p.Value!, depth + 1);
                var include = required.Contains(p.Key) ? Gen.Int[0, 19].Select(n => n > 0) : Gen.Bool;
                return Gen.Select(include, value, (yes, v) => (Key: p.Key, Include: yes, Value: v));
            })
            .Append(
                Gen.Select(
                    Gen.Int[0, 9],
                    HostileGen,
                    (n, v) => (Key: "unexpected", Include: n == 0, Value: (JsonNode?)JsonValue.Create(v))
                )
            );
        return Sequence(members)
            .Select(list =>
            {
                var obj = new JsonObject();
                foreach (var (key, include, value) in list.Where(m => m.Include))
                {
                    obj[key] = value?.DeepClone();
                }
                return (JsonNode?)obj;
            });
    }

    private Gen<JsonNode?> ArrayGen(JsonNode schema, int depth)
    {
        var item =
            schema["items"] is { } items && depth <= 4
                ? ValueGen(items, depth + 1)
                : Gen.Const<JsonNode?>(JsonValue.Create("x"));
        var count = Gen.Frequency<int>((8, Gen.Int[0, 3]), (2, Gen.Int[4, 40]), (1, Gen.Int[500, 5000]));
        return count.SelectMany(n =>
            n <= 40
                ? Sequence(Enumerable.Repeat(item, n))
                    .Select(values => (JsonNode?)new JsonArray(values.Select(v => v?.DeepClone()).ToArray()))
                : item.Select(one =>
                    (JsonNode?)new JsonArray(Enumerable.Range(0, n).Select(_ => one?.DeepClone()).ToArray())
                )
        );
    }

    private static Gen<JsonNode?> IntegerGen(JsonNode schema)
    {
        var min = schema["minimum"]?.GetValue<long>() ?? 0;
        var max = schema["maximum"]?.GetValue<long>() ?? 100;
        return Gen.OneOf(min, max, min - 1, max + 1, 0L, -1L, int.MaxValue + 1L, long.MaxValue)
            .Select(v => (JsonNode?)JsonValue.Create(v));
    }

    private Gen<string> StringGen(JsonNode schema)
    {
        var maxLength = schema["maxLength"]?.GetValue<int>() ?? 40;
        var pattern = schema["pattern"]?.GetValue<string>() ?? string.Empty;
        var plain = Gen.String[
            Gen.Char["abcdefghijklmnopqrstuvwxyz ABC.-_@0123456789"],
            1,
            Math.Max(1, Math.Min(maxLength, 60))
        ];
        Gen<string> shaped = (schema["format"]?.GetValue<string>(), pattern) switch
        {
            ("email", _) => Gen.OneOf<string>(
                Gen.Const("team@customer.test"),
                Gen.Const(world.Owner.OwnerEmail),
                plain.Select(p => $"{p.Replace(" ", "")}@x.test")
            ),
            (_, "^[A-Z]{3}$") => Gen.OneOf("USA", "GBR", "FRA", "DEU", "JPN", "XXX", "usa"),
            (_, "^[0-9a-f]{32}$") => Gen.OneOf<string>(
                Gen.Const(world.Owner.AppId),
                Gen.Const(world.Stranger.AppId),
                IdGen
            ),
            (_, var p) when p.Contains("[0-9]") => Gen.Long[0, 99_999_999_999].Select(n =>
                n.ToString(CultureInfo.InvariantCulture)),
            _ => plain,
        };
        var bounds = Gen.OneOf(new string('b', maxLength), new string('b', maxLength + 1));
        return Gen.Frequency<string>((8, shaped), (1, bounds), (2, HostileGen));
    }

    private JsonNode Resolve(JsonNode node) =>
        node["$ref"]?.GetValue<string>() is { } reference
            ? Resolve(
                reference
                    .TrimStart('#')
                    .Split('/', StringSplitOptions.RemoveEmptyEntries)
                    .Aggregate(document, (current, segment) => current[segment.Replace("~1", "/").Replace("~0", "~")]!)
            )
            : node;

    private static Gen<List<T>> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(
            Gen.Const(new List<T>()),
            (acc, next) => Gen.Select(acc, next, (list, value) => new List<T>(list) { value })
        );

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await receiver.DisposeAsync();
    }

    /// <summary>
    /// An owner's account with an app, a member, a webhook route and reviews; a stranger's account; confirmation links.
    /// </summary>
    private sealed record FuzzWorld(
        TestWorld Owner,
        TestWorld Stranger,
        string MemberId,
        string MemberToken,
        string OperatorToken,
        string RouteId,
        string[] ReviewIds,
        string[] ConfirmationTokens
    )
    {
        public static async Task<FuzzWorld> CreateAsync(TestApp app, FakeWebhookReceiver receiver)
        {
            var owner = await TestWorld.CreateAsync(app);
            var stranger = await TestWorld.CreateAsync(app);
            var memberId = Guid.NewGuid().ToString();
            await app.Host.PostAsync(
                $"{owner.AccountPath}/members",
                owner.Token,
                new { userId = memberId, email = "member@customer.test" }
            );
            var hook = $"fuzz/{owner.AppId}";
            var route = (
                await app.Host.PostAsync(
                    $"{owner.AppPath}/routes",
                    owner.Token,
                    new { channel = "webhook", target = receiver.UrlFor(hook) }
                )
            ).As<ReviewHub.Delivery.RouteResponse>();
            receiver.SetSecret(hook, route.SigningSecret!);
            var reviewIds = new[] { "00000028-b08c-0014-729e-fbd500000000", "1234567890" };
            await ReviewTestData.SeedAsync(app, owner, reviewIds.Select(id => ReviewTestData.Review(id)).ToList());
            var tokens = app.Get<EmailConfirmationTokens>();
            var valid = tokens.Create(
                new EmailConfirmationClaim(owner.AccountId, owner.OwnerEmail, DateTimeOffset.UtcNow.AddDays(1))
            );
            var expired = tokens.Create(
                new EmailConfirmationClaim(owner.AccountId, owner.OwnerEmail, DateTimeOffset.UtcNow.AddDays(-1))
            );
            var unknown = tokens.Create(
                new EmailConfirmationClaim(owner.AccountId, "nobody@customer.test", DateTimeOffset.UtcNow.AddDays(1))
            );
            var tampered = valid[..^4] + (valid[^4..] == "AAAA" ? "BBBB" : "AAAA");
            return new FuzzWorld(
                owner,
                stranger,
                memberId,
                TestTokens.For(memberId),
                TestTokens.For("operator-1", isOperator: true),
                route.RouteId,
                reviewIds,
                [valid, expired, unknown, tampered]
            );
        }
    }
}
