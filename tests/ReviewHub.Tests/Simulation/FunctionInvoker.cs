using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Security;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// Invokes the app's non-HTTP functions the way the isolated worker does: the entry point named in functions.metadata,
/// its class created from the app's services in a fresh scope, the trigger parameter bound from the trigger's payload
/// (a queue message's JSON through the worker's default serializer; a <see cref="TimerInfo"/>; a Durable context or
/// input), every other parameter from services or the cancellation token.
/// </summary>
internal sealed class FunctionInvoker(IServiceProvider services)
{
    public ILoggerFactory LoggerFactory => services.GetRequiredService<ILoggerFactory>();

    /// <summary>
    /// What the worker binds POCO trigger payloads with: the serializer <c>FunctionsApplication</c> configures
    /// (System.Text.Json, case-insensitive names), read from a builder like Program.cs's, which adds no serializer of
    /// its own.
    /// </summary>
    private static readonly Lazy<ObjectSerializer> TriggerSerializer = new(() =>
    {
        using var worker = FunctionsApplication.CreateBuilder([]).Build();
        return worker.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.Serializer
            ?? throw new InvalidOperationException("The worker configured no serializer.");
    });

    /// <summary>A queue message as the worker would bind it for a trigger parameter of type <typeparamref name="T"/>.
    /// </summary>
    public static T BindQueueMessage<T>(string json) =>
        (T)TriggerSerializer.Value.Deserialize(new MemoryStream(Encoding.UTF8.GetBytes(json)), typeof(T),
            CancellationToken.None)!;

    public Task<object?> InvokeQueueAsync(FunctionDescription function, string json, CancellationToken cancellation)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return InvokeAsync(function,
            trigger => TriggerSerializer.Value.Deserialize(new MemoryStream(body), trigger.ParameterType, cancellation),
            cancellation);
    }

    public Task<object?> InvokeTimerAsync(FunctionDescription function, CancellationToken cancellationToken) =>
        InvokeAsync(function, _ => new TimerInfo(), cancellationToken);

    public async Task<object?> InvokeAsync(
        FunctionDescription function, Func<ParameterInfo, object?> bindTrigger, CancellationToken cancellationToken)
    {
        var method = EntryPoint(function);
        await using var scope = services.CreateAsyncScope();
        var target = method.IsStatic
            ? null
            : ActivatorUtilities.CreateInstance(scope.ServiceProvider, method.DeclaringType!);
        var arguments = method.GetParameters().Select(p =>
            IsTrigger(p) ? bindTrigger(p)
            : p.ParameterType == typeof(CancellationToken) ? cancellationToken
            : scope.ServiceProvider.GetRequiredService(p.ParameterType)).ToArray();
        return await AwaitResultAsync(method, Invoke(method, target, arguments));
    }

    public static MethodInfo EntryPoint(FunctionDescription function) =>
        EndpointAccess.ResolveEntryPoint(function.EntryPoint)
        ?? throw new InvalidOperationException($"Entry point {function.EntryPoint} of {function.Name} not found.");

    public static ParameterInfo TriggerParameter(MethodInfo method) => method.GetParameters().Single(IsTrigger);

    private static bool IsTrigger(ParameterInfo parameter) =>
        parameter.GetCustomAttributes()
            .Any(a => a.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal));

    internal static object? Invoke(MethodInfo method, object? target, object?[] arguments)
    {
        try
        {
            return method.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    /// <summary>
    /// Awaits what the function returned and gives its result (null for void, Task and non-generic results).
    /// </summary>
    internal static async Task<object?> AwaitResultAsync(MethodInfo method, object? returned)
    {
        if (returned is not Task task)
        {
            return returned;
        }
        await task;
        return method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? method.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task)
            : null;
    }
}

/// <summary>
/// Registers the app's orchestrations and activities, as functions.metadata lists them, with a Durable in-process host:
/// each is run through its entry point like the worker runs it, so the simulation needs no hand-written list.
/// </summary>
internal static class DurableFunctions
{
    public static void Register(DurableTaskRegistry registry, Func<FunctionInvoker> invoker)
    {
        foreach (var function in FunctionMetadata.All.Where(f => f.Trigger.Type == "orchestrationTrigger"))
        {
            registry.AddOrchestrator(function.Name, new Orchestrator(FunctionInvoker.EntryPoint(function), invoker));
        }
        foreach (var function in FunctionMetadata.All.Where(f => f.Trigger.Type == "activityTrigger"))
        {
            registry.AddActivity(function.Name, new Activity(function, invoker));
        }
    }

    private static Type ResultType(MethodInfo method) =>
        method.ReturnType.IsGenericType ? method.ReturnType.GenericTypeArguments[0] : typeof(object);

    /// <summary>
    /// An orchestrator function: static, bound to its context only, reading its input with <c>GetInput&lt;T&gt;</c>.
    /// Like the isolated worker, it gets a context that deserializes the input into whatever type it asks for.
    /// </summary>
    private sealed class Orchestrator(MethodInfo method, Func<FunctionInvoker> invoker) : ITaskOrchestrator
    {
        public Type InputType => typeof(JsonElement);
        public Type OutputType => ResultType(method);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) =>
            FunctionInvoker.AwaitResultAsync(method, FunctionInvoker.Invoke(method, null,
                [new FunctionsOrchestrationContext(context, input as JsonElement?, invoker().LoggerFactory)]));
    }

    /// <summary>
    /// The test host's context, except that the input is deserialized on request (as the worker's context does).
    /// </summary>
    private sealed class FunctionsOrchestrationContext(
        TaskOrchestrationContext inner, JsonElement? input, ILoggerFactory loggers) : TaskOrchestrationContext
    {
        private static readonly JsonSerializerOptions InputJson = new() { PropertyNameCaseInsensitive = true };

        public override TaskName Name => inner.Name;
        public override string InstanceId => inner.InstanceId;
        public override ParentOrchestrationInstance? Parent => inner.Parent;
        public override DateTime CurrentUtcDateTime => inner.CurrentUtcDateTime;
        public override bool IsReplaying => inner.IsReplaying;
        protected override ILoggerFactory LoggerFactory => loggers;

        public override T GetInput<T>() => input is { } json ? json.Deserialize<T>(InputJson)! : default!;

        public override Task<TResult> CallActivityAsync<TResult>(
            TaskName name, object? input = null, TaskOptions? options = null) =>
            inner.CallActivityAsync<TResult>(name, input, options);

        public override Task<TResult> CallSubOrchestratorAsync<TResult>(
            TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
            inner.CallSubOrchestratorAsync<TResult>(orchestratorName, input, options);

        public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
            inner.ContinueAsNew(newInput, preserveUnprocessedEvents);

        public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) =>
            inner.CreateTimer(fireAt, cancellationToken);

        public override Guid NewGuid() => inner.NewGuid();

        public override void SendEvent(string instanceId, string eventName, object payload) =>
            inner.SendEvent(instanceId, eventName, payload);

        public override void SetCustomStatus(object? customStatus) => inner.SetCustomStatus(customStatus);

        public override Task<T> WaitForExternalEvent<T>(
            string eventName, CancellationToken cancellationToken = default) =>
            inner.WaitForExternalEvent<T>(eventName, cancellationToken);
    }

    private sealed class Activity(FunctionDescription function, Func<FunctionInvoker> invoker) : ITaskActivity
    {
        private readonly MethodInfo method = FunctionInvoker.EntryPoint(function);

        public Type InputType => FunctionInvoker.TriggerParameter(method).ParameterType;
        public Type OutputType => ResultType(method);

        public Task<object?> RunAsync(TaskActivityContext context, object? input) =>
            invoker().InvokeAsync(function, _ => input, CancellationToken.None);
    }
}
