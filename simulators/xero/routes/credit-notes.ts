// /CreditNotes: list, read, create (PUT), void (POST), and allocations to invoices.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SimValidationError } from '../errors.js';
import type { SimCreditNote } from '../organisation.js';
import { list, type Fields } from '../query.js';
import { renderAllocation, renderCreditNote } from '../render.js';
import type { SimState } from '../state.js';
import { orgOf } from './api-guard.js';
import { flag, idempotent, listQueryOf, wrap } from './common.js';
import { allocationInput, creditNoteInput, listOf } from './wire-input.js';

const creditNoteFields: Fields<SimCreditNote> = {
  Type: (c) => c.type,
  Status: (c) => c.status,
  CreditNoteID: (c) => c.id,
  CreditNoteNumber: (c) => c.number,
  Reference: (c) => c.reference,
  'Contact.ContactID': (c) => c.contactId,
  Date: (c) => c.date,
  UpdatedDateUTC: (c) => c.updatedAt,
};

const creditNoteId = (req: FastifyRequest) => (req.params as { CreditNoteID: string }).CreditNoteID;

/** summarizeErrors=false: a 200 whose failed items carry their validation errors, as Xero does. */
function eachItem<T>(
  req: FastifyRequest,
  items: readonly unknown[],
  create: (raw: unknown) => T,
  render: (t: T) => Record<string, unknown>,
): Record<string, unknown>[] {
  if (flag(req, 'summarizeErrors', false)) return items.map((raw) => render(create(raw)));
  return items.map((raw) => {
    try {
      return render(create(raw));
    } catch (e) {
      if (!(e instanceof SimValidationError)) throw e;
      const messages = e.message.split('; ').map((Message) => ({ Message }));
      return {
        ...(typeof raw === 'object' && raw !== null ? raw : {}),
        HasErrors: true,
        StatusAttributeString: 'ERROR',
        ValidationErrors: messages,
      };
    }
  });
}

export function creditNoteRoutes(state: SimState) {
  return async (app: FastifyInstance) => {
    app.get('/CreditNotes', async (req) => {
      const org = orgOf(req);
      const page = list(org.creditNotes.values(), listQueryOf(req), creditNoteFields, (c) => c.id);
      return wrap(state, {
        ...(page.pagination && { pagination: page.pagination }),
        CreditNotes: page.rows.map((c) => renderCreditNote(org, c)),
      });
    });

    app.get('/CreditNotes/:CreditNoteID', async (req) => {
      const org = orgOf(req);
      return wrap(state, { CreditNotes: [renderCreditNote(org, org.creditNote(creditNoteId(req)))] });
    });

    app.put('/CreditNotes', async (req, reply) =>
      idempotent(state, req, reply, () => {
        const org = orgOf(req);
        const notes = eachItem(
          req,
          listOf(req.body, 'CreditNotes'),
          (raw) => org.createCreditNote(creditNoteInput(raw)),
          (cn) => renderCreditNote(org, cn),
        );
        return { status: 200, body: wrap(state, { CreditNotes: notes }) };
      }),
    );

    app.post('/CreditNotes/:CreditNoteID', async (req, reply) =>
      idempotent(state, req, reply, () => {
        const org = orgOf(req);
        const [change] = listOf(req.body, 'CreditNotes');
        const status = typeof change === 'object' && change !== null && 'Status' in change ? change.Status : undefined;
        if (status !== 'VOIDED')
          throw new SimValidationError('The simulator supports only voiding a credit note (Status VOIDED)');
        return {
          status: 200,
          body: wrap(state, { CreditNotes: [renderCreditNote(org, org.voidCreditNote(creditNoteId(req)))] }),
        };
      }),
    );

    app.put('/CreditNotes/:CreditNoteID/Allocations', async (req, reply) =>
      idempotent(state, req, reply, () => {
        const org = orgOf(req);
        const id = creditNoteId(req);
        const allocations = eachItem(
          req,
          listOf(req.body, 'Allocations'),
          (raw) => org.allocate(id, allocationInput(raw)),
          (a) => renderAllocation(org, a),
        );
        return { status: 200, body: wrap(state, { Allocations: allocations }) };
      }),
    );
  };
}
