CREATE TABLE "invoice_payment_links" (
	"connection_id" uuid NOT NULL,
	"invoice_id" text NOT NULL,
	"url" text,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "invoice_payment_links_connection_id_invoice_id_pk" PRIMARY KEY("connection_id","invoice_id")
);
--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "payment_instructions" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_payment_links" ADD CONSTRAINT "invoice_payment_links_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;