// Package records owns the child's record ("fiche de renseignements"): what
// a parent declares about a child (allergies and PAI as yes/no with the
// PAI document's validity date, the doctor, the people allowed to pick the
// child up, emergency contacts, image rights) and the mairie's validation
// of each change. It is the only writer of the table child_records; the
// PAI flag itself stays children.pai (app/families), which a validation
// sets. Health is never more than yes/no (CNIL guidance on school
// catering): there is no free-text medical field.
//
// A parent's change is pending until an agent validates or refuses it;
// meanwhile the validated record stays the one in force and is shown as
// current, with the change beside it.
package records
