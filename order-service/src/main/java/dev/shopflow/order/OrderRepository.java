package dev.shopflow.order;

import java.util.UUID;
import org.springframework.data.repository.ListCrudRepository;

interface OrderRepository extends ListCrudRepository<Order, UUID> {}
