package dev.shopflow.mail;

/** The mails a customer can get about an order, with their subject and template. */
enum MailKind {
    ORDER_RECEIVED("We received your order", "mail/order-received"),
    ORDER_CONFIRMED("Your order is confirmed", "mail/order-confirmed"),
    ORDER_NOT_FULFILLED("Your order could not be fulfilled", "mail/order-not-fulfilled");

    private final String subject;
    private final String template;

    MailKind(String subject, String template) {
        this.subject = subject;
        this.template = template;
    }

    String subject() {
        return subject;
    }

    String template() {
        return template;
    }
}
