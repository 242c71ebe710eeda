package io.paxlog.server.service;

import io.paxlog.api.service.Service;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The services a server can run, by {@link Service#name()}: those on the class path, which
 * {@link ServiceLoader} finds through each jar's {@code META-INF/services/io.paxlog.api.service.Service},
 * or those given to an embedded cluster. The server knows no service by name: {@code paxlog server}
 * runs whatever jar provides the configured {@code cluster.service}.
 *
 * <p>A name must pick exactly one service. Two services claiming one name is a mistake in the class
 * path (two versions of one jar, or two jars that chose the same name), and running either could read
 * the other's data, so neither runs; the message names both classes and where each was loaded from.
 *
 * <p>Immutable; any thread.
 */
public final class ServiceCatalog {

    private static final String HOW = "a service is a jar that lists its " + Service.class.getName()
            + " implementation in META-INF/services/" + Service.class.getName();

    /** Every service found, by name; more than one under a name is a conflict. Sorted, for stable messages. */
    private final Map<String, List<Service<?, ?>>> byName;
    /** Providers the loader could not instantiate, as messages. */
    private final List<String> broken;
    /** Where the services came from, for messages: "on the class path". */
    private final String where;

    private ServiceCatalog(Map<String, List<Service<?, ?>>> byName, List<String> broken, String where) {
        this.byName = byName;
        this.broken = broken;
        this.where = where;
    }

    /** The services on the class path of this thread's context class loader (the application's, in a server). */
    public static ServiceCatalog onClassPath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader != null ? loader : ServiceCatalog.class.getClassLoader());
    }

    /** The services {@code loader} finds. A provider that fails to load is reported, not thrown. */
    public static ServiceCatalog load(ClassLoader loader) {
        Map<String, List<Service<?, ?>>> byName = new TreeMap<>();
        List<String> broken = new ArrayList<>();
        var providers = ServiceLoader.load(Service.class, loader).iterator();
        while (true) {
            Service<?, ?> service;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                service = providers.next();
            } catch (ServiceConfigurationError e) {
                broken.add(e.getMessage());
                continue;
            }
            add(byName, service);
        }
        return new ServiceCatalog(byName, List.copyOf(broken), "on the class path");
    }

    /** Exactly these services, e.g. the one an embedded cluster runs. */
    public static ServiceCatalog of(Collection<? extends Service<?, ?>> services) {
        Map<String, List<Service<?, ?>>> byName = new TreeMap<>();
        services.forEach(service -> add(byName, service));
        return new ServiceCatalog(byName, List.of(), "given");
    }

    private static void add(Map<String, List<Service<?, ?>>> byName, Service<?, ?> service) {
        byName.computeIfAbsent(service.name(), name -> new ArrayList<>()).add(service);
    }

    /** Every name found, sorted; a name claimed twice is among them (see {@link #problem}). */
    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /**
     * Why {@code name} does not pick exactly one service, for a person to fix; null when it does.
     * Names what was found instead, and any provider that could not be loaded (it may be the one meant).
     */
    public String problem(String name) {
        List<Service<?, ?>> found = byName.getOrDefault(name, List.of());
        if (found.size() == 1) {
            return null;
        }
        String text;
        if (found.isEmpty()) {
            text = "no service named \"" + name + "\" " + where + "; found: " + names() + " (" + HOW + ")";
        } else {
            List<String> claimants = found.stream().map(ServiceCatalog::origin).toList();
            text = "the name \"" + name + "\" is claimed by " + found.size() + " services " + where + ": "
                    + String.join(", ", claimants) + "; keep only one of them";
        }
        if (!broken.isEmpty()) {
            text += "; could not load: " + String.join("; ", broken);
        }
        return text;
    }

    /**
     * The one service named {@code name}.
     *
     * @throws IllegalArgumentException saying why not (see {@link #problem})
     */
    public Service<?, ?> named(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return byName.get(name).get(0);
    }

    /** {@code com.example.CounterService (from file:/opt/counter.jar)}. */
    private static String origin(Service<?, ?> service) {
        Class<?> type = service.getClass();
        CodeSource source = type.getProtectionDomain() == null ? null : type.getProtectionDomain().getCodeSource();
        return type.getName() + (source == null || source.getLocation() == null ? "" : " (from " + source.getLocation() + ")");
    }

    @Override
    public String toString() {
        return "services " + where + ": " + names();
    }
}
