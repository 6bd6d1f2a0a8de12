package dev.shopflow.events;

import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonSchemaModule;
import java.lang.reflect.ParameterizedType;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The schema generator for the event records. A schema states what {@link EventJson} writes: every record component
 * is required and never null, UUIDs and instants are strings, decimals plain JSON numbers; further properties are
 * allowed, because readers ignore fields they do not know. The invariants the records check in their constructors
 * are stated too ({@link #MINIMUMS}, non-blank text, non-empty lists); {@code EventCatalogueTests} proves the decoder
 * refuses each violation.
 */
final class EventSchemaGenerator {

    /**
     * Numeric lower bounds the records enforce (class simple name and component), beyond what the types say. Every
     * other component is unbounded.
     */
    static final Map<String, BigDecimal> MINIMUMS = Map.of(
            "OrderLine.quantity", BigDecimal.ONE,
            "OrderLine.unitPrice", BigDecimal.ZERO,
            "ReservedLine.quantity", BigDecimal.ONE,
            "ShortLine.requested", BigDecimal.ONE);

    /** Non-blank: at least one character that is not white space (every text field of every event). */
    static final String NON_BLANK = "\\S";

    private EventSchemaGenerator() {}

    static SchemaGenerator create() {
        SchemaGeneratorConfigBuilder builder = new SchemaGeneratorConfigBuilder(
                        SchemaVersion.DRAFT_7, OptionPreset.PLAIN_JSON)
                .with(new JacksonSchemaModule())
                .with(Option.STANDARD_FORMATS, Option.INLINE_ALL_SCHEMAS);
        builder.forTypesInGeneral()
                .withPropertySorter(Comparator.comparingInt(EventSchemaGenerator::componentIndex))
                .withTitleResolver(scope -> isNestedRecord(scope.getType().getErasedType())
                        ? scope.getType().getErasedType().getSimpleName()
                        : null);
        builder.forFields()
                .withRequiredCheck(field -> true)
                .withStringPatternResolver(field -> is(field, String.class) ? NON_BLANK : null)
                .withArrayMinItemsResolver(field -> is(field, List.class) ? 1 : null)
                .withNumberInclusiveMinimumResolver(field -> MINIMUMS.get(componentName(field)));
        refuseMisspeltMinimums();
        return new SchemaGenerator(builder.build());
    }

    private static boolean is(FieldScope field, Class<?> type) {
        return !field.isFakeContainerItemScope()
                && type.isAssignableFrom(field.getType().getErasedType());
    }

    private static String componentName(FieldScope field) {
        return field.getDeclaringType().getErasedType().getSimpleName() + "." + field.getDeclaredName();
    }

    private static boolean isNestedRecord(Class<?> type) {
        return type.isRecord() && !DomainEvent.class.isAssignableFrom(type);
    }

    /** Properties in the order of the record's components, as {@link EventJson} writes them. */
    private static int componentIndex(MemberScope<?, ?> member) {
        var components = member.getDeclaringType().getErasedType().getRecordComponents();
        for (int i = 0; components != null && i < components.length; i++) {
            if (components[i].getName().equals(member.getDeclaredName())) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** A misspelt entry in {@link #MINIMUMS} would silently drop a bound: refuse it. */
    private static void refuseMisspeltMinimums() {
        Set<String> components = Stream.of(EventType.values())
                .map(EventType::javaType)
                .flatMap(EventSchemaGenerator::recordsIn)
                .flatMap(record -> Stream.of(record.getRecordComponents())
                        .map(component -> record.getSimpleName() + "." + component.getName()))
                .collect(Collectors.toSet());
        MINIMUMS.keySet().stream()
                .filter(name -> !components.contains(name))
                .findAny()
                .ifPresent(name -> {
                    throw new IllegalStateException("MINIMUMS names " + name + ", which no event record has");
                });
    }

    private static Stream<Class<?>> recordsIn(Class<?> record) {
        return Stream.concat(
                Stream.of(record),
                Stream.of(record.getRecordComponents())
                        .map(component -> component.getGenericType())
                        .map(type -> type instanceof ParameterizedType list ? list.getActualTypeArguments()[0] : type)
                        .filter(type -> type instanceof Class<?> c && c.isRecord())
                        .flatMap(type -> recordsIn((Class<?>) type)));
    }
}
