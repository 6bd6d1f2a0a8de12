package dev.shopflow.admin.replay;

import dev.shopflow.admin.deadletter.DeadLetterRedrive;
import dev.shopflow.consumer.DedupeWindow;
import dev.shopflow.consumer.EventConsumerAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code /admin/replay} and {@code /admin/dead-letters/redrive} in a consuming web service with {@code
 * shopflow.admin.enabled=true}, for its own group only (behind the admin security of {@link
 * dev.shopflow.admin.AdminSecurityAutoConfiguration}).
 */
@AutoConfiguration(
        after = EventConsumerAutoConfiguration.class,
        afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnProperty("spring.kafka.consumer.group-id")
@ConditionalOnBooleanProperty("shopflow.admin.enabled")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ReplayAutoConfiguration {

    @Bean
    ReplayPlanner replayPlanner(
            KafkaProperties kafka,
            ObjectProvider<ReplayReprocessing> reprocessing,
            ObjectProvider<DedupeWindow> remembered) {
        return new ReplayPlanner(
                kafka.getConsumer().getGroupId(), reprocessing.getIfAvailable(), remembered.getIfAvailable());
    }

    @Bean
    ReplayExecutor replayExecutor(
            KafkaProperties kafka,
            KafkaListenerEndpointRegistry listeners,
            ReplayPlanner replayPlanner,
            ObjectProvider<ReplayReprocessing> reprocessing,
            ObjectProvider<PlatformTransactionManager> transactionManager) {
        TransactionOperations transactions = transactionManager.stream()
                .findFirst()
                .<TransactionOperations>map(TransactionTemplate::new)
                .orElse(TransactionOperations.withoutTransaction());
        return new ReplayExecutor(
                kafka.getConsumer().getGroupId(),
                listeners,
                replayPlanner,
                reprocessing.getIfAvailable(),
                transactions);
    }

    @Bean
    GroupReplay groupReplay(
            KafkaProperties kafka,
            KafkaAdmin admin,
            KafkaListenerEndpointRegistry listeners,
            ReplayPlanner replayPlanner,
            ReplayExecutor replayExecutor) {
        return new GroupReplay(kafka.getConsumer().getGroupId(), admin, listeners, replayPlanner, replayExecutor);
    }

    @Bean
    DeadLetterRedrive deadLetterRedrive(
            KafkaProperties kafka, ConsumerFactory<?, ?> consumers, ProducerFactory<?, ?> producers) {
        return new DeadLetterRedrive(kafka.getConsumer().getGroupId(), consumers, producers);
    }

    @Bean
    ReplayController replayController(GroupReplay groupReplay, DeadLetterRedrive deadLetterRedrive) {
        return new ReplayController(groupReplay, deadLetterRedrive);
    }
}
