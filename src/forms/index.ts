/** XEP-0004 data forms and typed form templates. */
export {
  type DataForm,
  type DataFormType,
  type FieldType,
  type FormField,
  type FormOption,
  dataFormCodec,
  FIELD_TYPES,
  FORM_TYPES,
  FORM_TYPE_VAR,
  formFieldCodec,
  formOptionCodec,
  dataForm,
  findField,
  formField,
  formType,
} from './form.js';
export {
  type FieldSpec,
  type FieldValue,
  type FormInstance,
  type FormInstanceMethods,
  type FormSpec,
  type FormTemplate,
  type FormValues,
  defineForm,
} from './template.js';
