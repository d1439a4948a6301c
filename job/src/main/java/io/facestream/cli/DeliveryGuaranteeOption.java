package io.facestream.cli;

import io.facestream.job.KafkaSettings;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine.Option;

/** How results and dead letters reach Kafka; shared by {@code job} and {@code local}. */
public class DeliveryGuaranteeOption {

    @Option(names = "--delivery-guarantee", paramLabel = "exactly-once|at-least-once", defaultValue = KafkaSettings.DEFAULT_DELIVERY_GUARANTEE,
            description = "exactly-once: results and dead letters become visible to read_committed consumers when the checkpoint "
                    + "that commits them completes; at-least-once: each is written as soon as it is ready, and a restart may write "
                    + "again those since the last checkpoint (same key, the event id: consumers drop the duplicates). "
                    + "Default: ${DEFAULT-VALUE}.")
    String deliveryGuarantee;

    DeliveryGuarantee value() {
        return Enums.parse("--delivery-guarantee", deliveryGuarantee, DeliveryGuarantee.EXACTLY_ONCE, DeliveryGuarantee.AT_LEAST_ONCE);
    }
}
