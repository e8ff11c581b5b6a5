using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>Registers the PostgreSQL metadata store (tables in <paramref name="schema"/>) for every metadata role.</summary>
    public static IServiceCollection AddWharfPostgreSqlMetadata(this IServiceCollection services, string connectionString, string schema = "public")
    {
        services.AddSingleton(_ => new PostgreSqlDatabase(connectionString, schema));
        services.AddSingleton<SqlDatabase>(sp => sp.GetRequiredService<PostgreSqlDatabase>());
        services.AddSingleton<IBlobIndex, SqlBlobIndex>();
        services.AddSingleton<IManifestReader, SqlManifestReader>();
        services.AddSingleton<IManifestWriter, PostgreSqlManifestWriter>();
        services.AddSingleton<IRepositoryReader, SqlRepositoryReader>();
        services.AddSingleton<IUploadSessionStore, SqlUploadSessionStore>();
        services.AddSingleton<IGcStore, SqlGcStore>();
        services.AddSingleton<IGcGraphStore, SqlGcGraphStore>();
        services.AddSingleton<IRepositoryDeleter, SqlRepositoryDeleter>();
        services.AddSingleton<IUserStore, SqlUserStore>();
        services.AddSingleton<IAccessTokenStore, SqlAccessTokenStore>();
        services.AddSingleton<IRefreshTokenStore, SqlRefreshTokenStore>();
        services.AddSingleton<ISigningKeyStore, SqlSigningKeyStore>();
        services.AddSingleton<ILoginFailureStore, PostgreSqlLoginFailureStore>();
        services.AddSingleton<Wharf.Core.Audit.IAuditStore, SqlAuditStore>();
        services.AddSingleton<ITagDetailsReader, SqlTagDetailsReader>();
        services.AddSingleton<IRetentionReader, SqlRetentionReader>();
        services.AddSingleton<INamespaceUsageStore, SqlNamespaceUsageStore>();
        services.AddSingleton<IRepositoryInfoStore, SqlRepositoryInfoStore>();
        services.AddSingleton<IRepositorySearch, PostgreSqlRepositorySearch>();
        services.AddSingleton<PostgreSqlUsageStore>();
        services.AddSingleton<IUsageWriter>(sp => sp.GetRequiredService<PostgreSqlUsageStore>());
        services.AddSingleton<IPullStatsReader>(sp => sp.GetRequiredService<PostgreSqlUsageStore>());
        return services;
    }
}
