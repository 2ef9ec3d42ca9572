namespace ReviewHub.Apps;

/// <summary>Told after an app is registered (e.g. ingestion creates its fetch schedule). Implementations are
/// idempotent.</summary>
internal interface IAppRegisteredListener
{
    Task OnRegisteredAsync(AppEntity app, CancellationToken cancellationToken);
}
