using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>Registers the SQLite metadata store at <paramref name="databasePath"/> for every metadata role.</summary>
    public static IServiceCollection AddWharfSqliteMetadata(this IServiceCollection services, string databasePath)
    {
        services.AddSingleton(_ => new SqliteDatabase(databasePath));
        services.AddSingleton<SqlDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<IBlobIndex, SqlBlobIndex>();
        services.AddSingleton<IManifestReader, SqlManifestReader>();
        services.AddSingleton<IManifestWriter, SqliteManifestWriter>();
        services.AddSingleton<IRepositoryReader, SqlRepositoryReader>();
        services.AddSingleton<IUploadSessionStore, SqlUploadSessionStore>();
        services.AddSingleton<IGcStore, SqlGcStore>();
        services.AddSingleton<IGcGraphStore, SqlGcGraphStore>();
        services.AddSingleton<IRepositoryDeleter, SqlRepositoryDeleter>();
        services.AddSingleton<IUserStore, SqlUserStore>();
        services.AddSingleton<IAccessTokenStore, SqlAccessTokenStore>();
        services.AddSingleton<IRefreshTokenStore, SqlRefreshTokenStore>();
        services.AddSingleton<ISigningKeyStore, SqlSigningKeyStore>();
        services.AddSingleton<ILoginFailureStore, SqliteLoginFailureStore>();
        services.AddSingleton<Wharf.Core.Audit.IAuditStore, SqlAuditStore>();
        services.AddSingleton<ITagDetailsReader, SqlTagDetailsReader>();
        services.AddSingleton<IRetentionReader, SqlRetentionReader>();
        services.AddSingleton<INamespaceUsageStore, SqlNamespaceUsageStore>();
        services.AddSingleton<IRepositoryInfoStore, SqlRepositoryInfoStore>();
        services.AddSingleton<IRepositorySearch, SqliteRepositorySearch>();
        services.AddSingleton<Wharf.Core.Storage.IInlineBlobStore, SqliteInlineBlobStore>();
        services.AddSingleton<SqliteUsageStore>();
        services.AddSingleton<IUsageWriter>(sp => sp.GetRequiredService<SqliteUsageStore>());
        services.AddSingleton<IPullStatsReader>(sp => sp.GetRequiredService<SqliteUsageStore>());
        return services;
    }
}
