ALTER TABLE "cases" ADD COLUMN "signal_keys" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "charge_disputes" ADD COLUMN "payment_intent_id" text;--> statement-breakpoint
ALTER TABLE "charge_disputes" ADD COLUMN "provider_created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "charge_disputes" ADD COLUMN "detection_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD COLUMN "number" text;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "customer_locale" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "is_deposit" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "on_payment_plan" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "detection_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_inbox" ADD COLUMN "occurred_at" text;--> statement-breakpoint
CREATE INDEX "cases_connection_idx" ON "cases" USING btree ("connection_id");--> statement-breakpoint
CREATE INDEX "invoices_detection_pending_idx" ON "invoices" USING btree ("connection_id") WHERE detection_pending;--> statement-breakpoint
CREATE INDEX "payments_applications_idx" ON "payments" USING gin ("applications");